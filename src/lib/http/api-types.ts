/**
 * The HTTP API's logic works on this small request/response shape; the
 * functions translate @azure/functions' HttpRequest/HttpResponseInit to it.
 */
export interface ApiRequest {
  method: string;
  /** Absolute URL as the host received it. */
  url: string;
  params: Record<string, string | undefined>;
  headers: { get(name: string): string | null };
  /** The raw body text ("" when none). */
  text(): Promise<string>;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  jsonBody: unknown;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, jsonBody: body, headers: { "content-type": "application/json; charset=utf-8", ...headers } };
}

export function apiError(status: number, code: string, message: string): ApiResponse {
  const body: ApiErrorBody = { error: { code, message } };
  return json(status, body);
}

/**
 * Root of the API as a path, e.g. /api, from the request URL. Links and
 * Location headers are paths on the origin the client already called: the
 * host (Host header) and the request target are the client's to write, so an
 * absolute URL built from them would point wherever the request said.
 */
export function apiBase(url: string): string {
  const parsed = new URL(url);
  const at = parsed.pathname.indexOf("/api/");
  return at >= 0 ? parsed.pathname.slice(0, at + 4) : "/api";
}
