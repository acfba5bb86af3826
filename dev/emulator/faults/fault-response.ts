import type { FaultEffect } from "./fault-rule";

/** An HTTP answer for a `status` fault, shaped like ARM's error responses. */
export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

const DEFAULT_CODES: Record<number, string> = {
  408: "RequestTimeout",
  409: "Conflict",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

export function faultResponse(effect: Extract<FaultEffect, { kind: "status" }>): FaultResponse {
  const code = effect.code ?? DEFAULT_CODES[effect.status] ?? "InjectedFault";
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  // ARM always says when to come back on 429; keep that default so SDK retry policies behave as against Azure.
  const retryAfter = effect.retryAfterSeconds ?? (effect.status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  const message = effect.message ?? `Injected fault: HTTP ${effect.status} ${code}.`;
  return { status: effect.status, headers, body: { error: { code, message } } };
}
