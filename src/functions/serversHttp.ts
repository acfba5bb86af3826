import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";

/** GET /api/servers?state={state} → servers in one state across services. */
export async function serversHttp(request: HttpRequest): Promise<HttpResponseInit> {
  const [{ getAppDeps }, { getServersByState }, { toApiRequest, toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/http/status-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await getServersByState(await getAppDeps(), toApiRequest(request)));
}

app.http("serversHttp", { methods: ["GET"], authLevel: "function", route: "servers", handler: serversHttp });
