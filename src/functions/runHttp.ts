import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";

/** GET /api/runs/{runId} → one run's audit record. */
export async function runHttp(request: HttpRequest): Promise<HttpResponseInit> {
  const [{ getAppDeps }, { getRunRecord }, { toApiRequest, toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/http/status-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await getRunRecord(await getAppDeps(), toApiRequest(request)));
}

app.http("runHttp", { methods: ["GET"], authLevel: "function", route: "runs/{runId}", handler: runHttp });
