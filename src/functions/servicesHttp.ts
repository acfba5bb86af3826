import { app, type HttpResponseInit } from "@azure/functions";

/** GET /api/services → every service in scope with counts by state. */
export async function servicesHttp(): Promise<HttpResponseInit> {
  const [{ getAppDeps }, { getServices }, { toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/http/status-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await getServices(await getAppDeps()));
}

app.http("servicesHttp", { methods: ["GET"], authLevel: "function", route: "services", handler: servicesHttp });
