import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";

/** GET /api/servers?state={state} → servers in one state across services. */
export async function serversHttp(request: HttpRequest): Promise<HttpResponseInit> {
  const [{ getAppServices }, { getServersByState }, { toApiRequest, toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-services.js"),
    import("../lib/http/status-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await getServersByState(await getAppServices(), toApiRequest(request)));
}

app.http("serversHttp", { methods: ["GET"], authLevel: "function", route: "servers", handler: serversHttp });
