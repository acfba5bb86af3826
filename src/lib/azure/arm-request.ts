import type { ServiceClient } from "@azure/core-client";
import {
  RestError,
  createHttpHeaders,
  createPipelineRequest,
  type HttpMethods,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";

/**
 * Raw JSON requests through an SDK client's own pipeline (auth, retry,
 * throttling, call counting), for what the generated models cannot express:
 * the 2022-09-01 identity fields, nextLink on lists, other providers.
 * Non-2xx answers become RestError, like the typed operations.
 */

export interface ArmJsonResponse {
  status: number;
  body: unknown;
  /** Response headers, lower-cased names. */
  headers: Record<string, string>;
  requestId?: string;
}

function parseBody(response: PipelineResponse): unknown {
  const text = response.bodyAsText;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function sendArmJson(
  client: ServiceClient,
  method: HttpMethods,
  url: string,
  options: { body?: unknown; abortSignal?: AbortSignal; clientRequestId?: string } = {},
): Promise<ArmJsonResponse> {
  const request = createPipelineRequest({
    url,
    method,
    headers: createHttpHeaders({
      accept: "application/json",
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      // The pipeline's setClientRequestIdPolicy keeps a caller's id, so its retries of this write carry it too.
      ...(options.clientRequestId ? { "x-ms-client-request-id": options.clientRequestId } : {}),
    }),
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    abortSignal: options.abortSignal,
  });
  const response = await client.sendRequest(request);
  if (response.status >= 400) {
    const body = parseBody(response) as { error?: { code?: string; message?: string } } | undefined;
    throw new RestError(body?.error?.message ?? `${method} ${url} failed with HTTP ${response.status}`, {
      code: body?.error?.code,
      statusCode: response.status,
      request,
      response,
    });
  }
  return {
    status: response.status,
    body: parseBody(response),
    headers: response.headers.toJSON(),
    requestId: response.headers.get("x-ms-request-id") ?? undefined,
  };
}

/** Builds `{endpoint}{path}?api-version=…`. */
export function armUrl(endpoint: string, path: string, apiVersion: string): string {
  const cleanPath =
    "/" +
    path
      .split("/")
      .filter((s) => s.length > 0)
      .join("/");
  return `${endpoint}${cleanPath}?api-version=${encodeURIComponent(apiVersion)}`;
}

/**
 * GET a list and follow nextLink (the specs declare single pages; ARM may still
 * page). More than `maxPages` pages (a nextLink loop) is an error, never a
 * silently shortened list: a missing server or endpoint would go unreconciled.
 */
export async function listArmJson(
  client: ServiceClient,
  url: string,
  options: { abortSignal?: AbortSignal; maxPages?: number } = {},
): Promise<unknown[]> {
  const maxPages = options.maxPages ?? 1000;
  const items: unknown[] = [];
  let next: string | undefined = url;
  for (let page = 0; next; page++) {
    if (page >= maxPages)
      throw new Error(`GET ${url}: still a nextLink after ${maxPages} pages; refusing to use a partial list`);
    const response = await sendArmJson(client, "GET", next, { abortSignal: options.abortSignal });
    const body = response.body as { value?: unknown; nextLink?: unknown } | undefined;
    if (Array.isArray(body?.value)) items.push(...(body.value as unknown[]));
    next = typeof body?.nextLink === "string" && body.nextLink !== "" ? body.nextLink : undefined;
  }
  return items;
}
