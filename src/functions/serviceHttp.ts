import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getAppServices } from "../lib/composition/default-services";
import { getServiceDetail } from "../lib/http/status-api";
import { toApiRequest, toHttpResponse } from "../lib/http/functions-adapter";

/** GET /api/service?id={serviceId}[&state=] → one service with its servers. */
export async function serviceHttp(request: HttpRequest): Promise<HttpResponseInit> {
  return toHttpResponse(await getServiceDetail(await getAppServices(), toApiRequest(request)));
}

app.http("serviceHttp", { methods: ["GET"], authLevel: "function", route: "service", handler: serviceHttp });
