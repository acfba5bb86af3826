import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";

/** GET /api/service?id={serviceId}[&state=] → one service with its servers. */
export async function serviceHttp(request: HttpRequest): Promise<HttpResponseInit> {
  const [{ getAppDeps }, { getServiceDetail }, { toApiRequest, toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/http/status-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await getServiceDetail(await getAppDeps(), toApiRequest(request)));
}

app.http("serviceHttp", { methods: ["GET"], authLevel: "function", route: "service", handler: serviceHttp });
