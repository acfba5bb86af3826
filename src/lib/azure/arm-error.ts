import { isRestError, type RestError } from "@azure/core-rest-pipeline";

export interface ArmErrorInfo {
  code: string;
  message: string;
  statusCode?: number;
  /** x-ms-request-id (or x-ms-correlation-request-id) of the failing call. */
  requestId?: string;
}

/**
 * ARM failures as data. Every failing call becomes a RestError (the SDK's own
 * error type; raw requests are converted to it), from which the ARM code,
 * message, status and request id are read the same way.
 */

interface ArmErrorBody {
  error?: { code?: unknown; message?: unknown };
  code?: unknown;
  message?: unknown;
}

const NETWORK_CODES = new Set([
  "REQUEST_SEND_ERROR",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

function headerOf(error: RestError, name: string): string | undefined {
  return error.response?.headers.get(name) ?? undefined;
}

function bodyOf(error: RestError): ArmErrorBody | undefined {
  const response = error.response;
  if (!response) return undefined;
  // Typed SDK operations attach the parsed body (core-client FullOperationResponse); raw ones only text.
  const parsed = (response as { parsedBody?: unknown }).parsedBody as ArmErrorBody | undefined;
  if (parsed && typeof parsed === "object") return parsed;
  if (response.bodyAsText) {
    try {
      return JSON.parse(response.bodyAsText) as ArmErrorBody;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Code, message, status and request id of any thrown value. */
export function toArmErrorInfo(error: unknown): ArmErrorInfo {
  if (isRestError(error)) {
    const rest = error;
    const body = bodyOf(rest);
    const code = body?.error?.code ?? body?.code ?? rest.code;
    const message = body?.error?.message ?? body?.message ?? rest.message;
    return {
      code:
        typeof code === "string" && code !== "" ? code : rest.statusCode ? `HTTP${rest.statusCode}` : "RequestFailed",
      message: typeof message === "string" && message !== "" ? message : rest.message,
      statusCode: rest.statusCode,
      requestId: headerOf(rest, "x-ms-request-id") ?? headerOf(rest, "x-ms-correlation-request-id"),
    };
  }
  const carried = carriedArmInfo(error);
  if (carried) return carried;
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { code: typeof code === "string" ? code : error.name, message: error.message };
  }
  return { code: "Unknown", message: String(error) };
}

/** A failure described by ARM data, e.g. a long-running operation that ended Failed. */
export class ArmOperationError extends Error {
  constructor(public readonly info: ArmErrorInfo) {
    super(`${info.code}: ${info.message}`);
    this.name = "ArmOperationError";
  }
}

/** An error that already carries ARM data (ReconcileError, ArmOperationError). */
function carriedArmInfo(error: unknown): ArmErrorInfo | undefined {
  if (error instanceof ArmOperationError) return error.info;
  if (error instanceof Error && "arm" in error) {
    const arm = (error as Error & { arm: unknown }).arm;
    if (arm && typeof arm === "object" && typeof (arm as ArmErrorInfo).code === "string") return arm as ArmErrorInfo;
  }
  return undefined;
}

/**
 * Whether retrying later can help: throttling (429), timeouts (408), server
 * errors (5xx) and network failures (no HTTP status, a socket or DNS error)
 * are; 400/401/403/404/409 and an error that is neither are not. The one rule
 * for "transient" everywhere: the queue's retries, the requeue of failed
 * actions, the remedy text.
 */
export function isTransient(info: ArmErrorInfo): boolean {
  if (info.statusCode === undefined) {
    return NETWORK_CODES.has(info.code) || /timed? ?out|socket hang up|network|ECONNRESET/i.test(info.message);
  }
  return info.statusCode === 408 || info.statusCode === 429 || info.statusCode >= 500;
}

/**
 * 400 PrincipalNotFound: a new identity has not replicated in Microsoft Entra
 * ID yet. Not transient as 429/5xx are, yet a later attempt (seconds to minutes) gets
 * past it.
 */
export function isReplicationDelay(info: ArmErrorInfo): boolean {
  return info.code.toLowerCase() === "principalnotfound";
}

/** isTransient of any thrown value. */
export function isTransientArmError(error: unknown): boolean {
  return isTransient(carriedArmInfo(error) ?? toArmErrorInfo(error));
}
