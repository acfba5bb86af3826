import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpRequest, HttpResponse, type HttpResponseInit } from "@azure/functions";
import type { HttpFunction } from "../host-function";
import type { Invoker } from "../invocation";
import { replyHostError } from "./host-errors";

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function isHttpResponse(value: unknown): value is HttpResponse {
  return value instanceof HttpResponse;
}

/** The handler's return value (HttpResponse, HttpResponseInit or nothing) as an HttpResponse. */
function toHttpResponse(value: unknown): HttpResponse {
  if (isHttpResponse(value)) return value;
  if (value === undefined || value === null) return new HttpResponse({ status: 204 });
  if (typeof value !== "object") {
    throw new Error(
      `HTTP function returned a ${typeof value}; return an HttpResponseInit object such as { status, jsonBody }`,
    );
  }
  return new HttpResponse(value as HttpResponseInit);
}

/** Calls an HTTP-triggered function with a real HttpRequest and writes its response. */
export async function serveHttpFunction(
  fn: HttpFunction,
  params: Record<string, string>,
  req: IncomingMessage,
  body: Buffer,
  url: URL,
  res: ServerResponse,
  invoker: Invoker,
): Promise<void> {
  const request = new HttpRequest({
    method: req.method ?? "GET",
    url: url.toString(),
    headers: flatHeaders(req),
    query: Object.fromEntries(url.searchParams),
    params,
    body: body.length > 0 ? { bytes: body } : undefined,
  });
  const triggerMetadata = { headers: flatHeaders(req), query: Object.fromEntries(url.searchParams), params };
  const result = await invoker.invoke(
    fn,
    request,
    triggerMetadata,
    `This function was programmatically called via the host APIs.`,
  );
  if (!result.ok) {
    replyHostError(res, 500, "InternalServerError", `function "${fn.name}" failed (invocation ${result.invocationId})`);
    return;
  }
  let response: HttpResponse;
  try {
    response = toHttpResponse(result.value);
  } catch (error) {
    replyHostError(res, 500, "InternalServerError", `${(error as Error).message} (invocation ${result.invocationId})`);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  if (response.cookies.length > 0) {
    headers["set-cookie"] = response.cookies.map(
      (c) => `${c.name}=${c.value}${c.path ? `; Path=${c.path}` : ""}${c.httpOnly ? "; HttpOnly" : ""}`,
    );
  }
  const payload = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers).end(payload);
}
