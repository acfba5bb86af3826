import { app, type HttpResponseInit } from "@azure/functions";

/** GET /api/services → every service in scope with counts by state. */
export async function servicesHttp(): Promise<HttpResponseInit> {
  const [{ getAppServices }, { getServices }, { toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-services.js"),
    import("../lib/http/status-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await getServices(await getAppServices()));
}

app.http("servicesHttp", { methods: ["GET"], authLevel: "function", route: "services", handler: servicesHttp });
