import type { TokenCredential } from "@azure/core-auth";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  isRestError,
} from "@azure/core-rest-pipeline";
import type { z } from "zod";
import { serversListSchema, servicesListSchema } from "../../lib/http/schemas";
import { listServerRowsByState, listServiceRows } from "../../lib/store";
import { createStoreTables, tableName } from "../../lib/tables/clients";
import type { StatusTarget } from "./args";
import { ATTENTION_STATES, type StatusSnapshot } from "./view";

/** A failure to read the status, with a message that says what to check. */
export class StatusReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StatusReadError";
  }
}

/**
 * The status API through the Azure SDK's pipeline (retries, proxy settings, NODE_EXTRA_CA_CERTS), with the function
 * key.
 */
async function readApi(target: Extract<StatusTarget, { kind: "api" }>, signal?: AbortSignal): Promise<StatusSnapshot> {
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: 3 },
    userAgentOptions: { userAgentPrefix: "afs-identity-cli" },
  });
  const client = createDefaultHttpClient();
  const get = async <S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> => {
    const url = `${target.apiUrl}${path}`;
    const request = createPipelineRequest({
      url,
      method: "GET",
      headers: createHttpHeaders({ "x-functions-key": target.key, accept: "application/json" }),
      allowInsecureConnection: target.allowInsecureConnection,
      abortSignal: signal,
    });
    let response;
    try {
      response = await pipeline.sendRequest(client, request);
    } catch (error) {
      throw new StatusReadError(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const text = response.bodyAsText ?? "";
    if (response.status === 401 || response.status === 403) {
      throw new StatusReadError(
        `${url} answered ${response.status}: the key in AFS_IDENTITY_KEY is not a function key of this app`,
      );
    }
    if (response.status === 404) throw new StatusReadError(`${url} answered 404: is --url the Function App's address?`);
    if (response.status !== 200) throw new StatusReadError(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new StatusReadError(
        `${url} did not answer JSON (is --url the Function App's address?): ${text.slice(0, 120)}`,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new StatusReadError(
        `${url} answered something that is not the status API's: ${parsed.error.issues[0]?.message ?? ""}`,
      );
    return parsed.data;
  };
  const { services } = await get("/services", servicesListSchema);
  const attention = [];
  for (const state of ATTENTION_STATES)
    attention.push(...(await get(`/servers?state=${state}`, serversListSchema)).servers);
  return { source: target.apiUrl, services, attention };
}

/** The status tables themselves, through the same modules the app writes them with. */
async function readTables(
  target: Extract<StatusTarget, { kind: "tables" }>,
  credential: () => TokenCredential,
): Promise<StatusSnapshot> {
  const connection =
    "connectionString" in target
      ? { connectionString: target.connectionString }
      : { tableServiceUri: target.tableServiceUri };
  const tables = createStoreTables(connection, target.prefix, "tableServiceUri" in target ? credential() : undefined);
  const where =
    "tableServiceUri" in target
      ? target.tableServiceUri
      : tables.services.url.replace(/\/[^/]*$/, "") || "the storage account";
  try {
    const services = await listServiceRows(tables.services);
    const attention = [];
    for (const state of ATTENTION_STATES) attention.push(...(await listServerRowsByState(tables.servers, state)));
    return { source: where, services, attention };
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) {
      throw new StatusReadError(
        `${where} has no table ${tableName(target.prefix, "services")}: is --table-prefix the app's TABLE_NAME_PREFIX (${target.prefix})?`,
        { cause: error },
      );
    }
    if (isRestError(error) && (error.statusCode === 401 || error.statusCode === 403)) {
      throw new StatusReadError(
        `${where} refused to list the status tables (${error.statusCode} ${error.code ?? ""}): the signed-in identity needs Storage Table Data Reader on the account`,
        { cause: error },
      );
    }
    throw new StatusReadError(
      `cannot read the status tables at ${where}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

export function readStatus(
  target: StatusTarget,
  options: { credential: () => TokenCredential; signal?: AbortSignal },
): Promise<StatusSnapshot> {
  return target.kind === "api" ? readApi(target, options.signal) : readTables(target, options.credential);
}
