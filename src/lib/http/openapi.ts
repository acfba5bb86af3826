import { z } from "zod";
import { RUN_ID } from "../tables/run-id";
import { SERVER_STATES } from "../store";
import { registry } from "./schemas";

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (id: string) => ({ "application/json": { schema: ref(id) } });
const errorResponse = (description: string) => ({ description, content: jsonContent("Error") });

/** The API's OpenAPI 3.1 document (served at GET /api/openapi.json). */
export function openApiDocument(serverUrl = "/api"): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: "output" }) as {
    schemas: Record<string, Record<string, unknown>>;
  };
  for (const schema of Object.values(schemas)) delete schema.$schema;
  const serviceIdParam = {
    name: "id",
    in: "query",
    required: true,
    description: "Storage Sync Service resource id (URL-encoded)",
    schema: { type: "string" },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Azure File Sync identity reconciler",
      version: "1.0.0",
      description:
        "Re-run reconciles and read the status of Storage Sync Services and their registered servers. Every route needs a function key (x-functions-key header or code query parameter).",
    },
    servers: [{ url: serverUrl }],
    security: [{ functionKey: [] }],
    paths: {
      "/reconcile": {
        post: {
          operationId: "reconcile",
          summary: "Re-run the reconcile of one service, or of every service in scope",
          requestBody: { required: true, content: jsonContent("ReconcileRequest") },
          responses: {
            "202": {
              description: "Queued; Location points at the run (one service) or the services list (all)",
              headers: { Location: { schema: { type: "string" } } },
              content: jsonContent("ReconcileAccepted"),
            },
            "400": errorResponse("The body is not JSON or not a valid request"),
            "403": errorResponse("The service is outside MANAGED_SCOPES"),
            "404": errorResponse(
              "ARM says the service does not exist (code ResourceNotFound, ResourceGroupNotFound or SubscriptionNotFound); nothing was queued",
            ),
            "413": errorResponse("The body is larger than 16 KiB"),
            "502": errorResponse("No scope could be listed (re-run all)"),
          },
        },
      },
      "/services": {
        get: {
          operationId: "listServices",
          summary: "Every service in scope with counts of servers by state",
          responses: { "200": { description: "OK", content: jsonContent("ServicesList") } },
        },
      },
      "/service": {
        get: {
          operationId: "getService",
          summary: "One service with its servers and recent runs",
          parameters: [
            serviceIdParam,
            {
              name: "state",
              in: "query",
              required: false,
              description: "Only servers in this state",
              schema: { type: "string", enum: SERVER_STATES },
            },
          ],
          responses: {
            "200": { description: "OK", content: jsonContent("ServiceDetail") },
            "400": errorResponse("The id or state is invalid"),
            "403": errorResponse("The service is outside MANAGED_SCOPES"),
            "404": errorResponse("No status recorded for this service yet"),
          },
        },
      },
      "/servers": {
        get: {
          operationId: "listServers",
          summary: "Servers in one state, across every service in scope",
          parameters: [{ name: "state", in: "query", required: true, schema: { type: "string", enum: SERVER_STATES } }],
          responses: {
            "200": { description: "OK", content: jsonContent("ServersList") },
            "400": errorResponse("The state is missing or unknown"),
          },
        },
      },
      "/runs/{runId}": {
        get: {
          operationId: "getRun",
          summary:
            "One run's audit record: trigger, plan, outcomes with ARM request ids, attempts, the journal of its ARM writes (client request ids), ARM call counts, duration",
          parameters: [
            { name: "runId", in: "path", required: true, schema: { type: "string", pattern: RUN_ID.source } },
          ],
          responses: {
            "200": { description: "OK", content: jsonContent("RunDetail") },
            "400": errorResponse("Not a run id"),
            "403": errorResponse("The run's service is outside MANAGED_SCOPES"),
            "404": errorResponse("No such run"),
          },
        },
      },
      "/openapi.json": {
        get: { operationId: "openApi", summary: "This document", responses: { "200": { description: "OK" } } },
      },
    },
    components: {
      schemas,
      securitySchemes: { functionKey: { type: "apiKey", in: "header", name: "x-functions-key" } },
    },
  };
}
