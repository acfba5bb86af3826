import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { ApiRequest, ApiResponse } from "./api-types";

/** @azure/functions' request/response ↔ the API logic's own small shape. */
export function toApiRequest(request: HttpRequest): ApiRequest {
  return {
    method: request.method,
    url: request.url,
    params: { ...request.params },
    headers: { get: (name) => request.headers.get(name) },
    text: () => request.text(),
  };
}

export function toHttpResponse(response: ApiResponse): HttpResponseInit {
  return { status: response.status, headers: response.headers, jsonBody: response.jsonBody };
}
