import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getAppServices } from "../lib/composition/default-services";
import { getRunRecord } from "../lib/http/status-api";
import { toApiRequest, toHttpResponse } from "../lib/http/functions-adapter";

/** GET /api/runs/{runId} → one run's audit record. */
export async function runHttp(request: HttpRequest): Promise<HttpResponseInit> {
  return toHttpResponse(await getRunRecord(await getAppServices(), toApiRequest(request)));
}

app.http("runHttp", { methods: ["GET"], authLevel: "function", route: "runs/{runId}", handler: runHttp });
