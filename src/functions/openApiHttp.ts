import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";

/** GET /api/openapi.json → the API's OpenAPI 3.1 document. */
export async function openApiHttp(request: HttpRequest): Promise<HttpResponseInit> {
  const [{ apiBase }, { openApiDocument }] = await Promise.all([
    import("../lib/http/api-types.js"),
    import("../lib/http/openapi.js"),
  ]);
  return { status: 200, jsonBody: openApiDocument(apiBase(request.url)) };
}

app.http("openApiHttp", { methods: ["GET"], authLevel: "function", route: "openapi.json", handler: openApiHttp });
