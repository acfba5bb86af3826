import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getAppServices } from "../lib/composition/default-services";
import { getServersByState } from "../lib/http/status-api";
import { toApiRequest, toHttpResponse } from "../lib/http/functions-adapter";

/** GET /api/servers?state={state} → servers in one state across services. */
export async function serversHttp(request: HttpRequest): Promise<HttpResponseInit> {
  return toHttpResponse(await getServersByState(await getAppServices(), toApiRequest(request)));
}

app.http("serversHttp", { methods: ["GET"], authLevel: "function", route: "servers", handler: serversHttp });
