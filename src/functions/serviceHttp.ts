import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";

/** GET /api/service?id={serviceId}[&state=] → one service with its servers. */
export async function serviceHttp(request: HttpRequest): Promise<HttpResponseInit> {
  const [{ getAppServices }, { getServiceDetail }, { toApiRequest, toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-services.js"),
    import("../lib/http/status-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await getServiceDetail(await getAppServices(), toApiRequest(request)));
}

app.http("serviceHttp", { methods: ["GET"], authLevel: "function", route: "service", handler: serviceHttp });
