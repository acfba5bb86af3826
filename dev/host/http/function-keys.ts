import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { AuthLevel } from "../host-function";

/**
 * A new local key, as Core Tools prints one: letters and digits only, so it is safe in `?code=`, headers and shells.
 */
export function generateFunctionKey(): string {
  return randomBytes(36).toString("base64url").replace(/[-_]/g, "").slice(0, 40);
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key a caller presented: `x-functions-key` header first, then `?code=`. */
export function presentedKey(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const header = headers["x-functions-key"];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader ?? query.get("code") ?? undefined;
}

/**
 * Whether a request may call a function of this auth level. The local host
 * has one key that serves as function, master and system (webhook) key.
 */
export function isAuthorized(authLevel: AuthLevel, presented: string | undefined, key: string): boolean {
  if (authLevel === "anonymous") return true;
  return presented !== undefined && sameKey(presented, key);
}
