import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { apiBase } from "../lib/http/api-types";
import { openApiDocument } from "../lib/http/openapi";

/** GET /api/openapi.json → the API's OpenAPI 3.1 document. */
export async function openApiHttp(request: HttpRequest): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: openApiDocument(apiBase(request.url)) };
}

app.http("openApiHttp", { methods: ["GET"], authLevel: "function", route: "openapi.json", handler: openApiHttp });
