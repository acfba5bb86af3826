import { app, type HttpResponseInit } from "@azure/functions";
import { getAppServices } from "../lib/composition/default-services";
import { getServices } from "../lib/http/status-api";
import { toHttpResponse } from "../lib/http/functions-adapter";

/** GET /api/services → every service in scope with counts by state. */
export async function servicesHttp(): Promise<HttpResponseInit> {
  return toHttpResponse(await getServices(await getAppServices()));
}

app.http("servicesHttp", { methods: ["GET"], authLevel: "function", route: "services", handler: servicesHttp });
