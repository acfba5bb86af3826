import type { Trigger } from "../queue/messages";
import type { SignInMode } from "../sign-in-mode";
import type { ApiRequest } from "./api-types";
import { signedInUser } from "../status-page/sign-in";

/** What the audit trail records of a key holder that no sign-in vouches for. */
export const KEY_HOLDER = "function key holder";

/**
 * The address the platform's front end appended to X-Forwarded-For, and what
 * came before it. A proxy appends the address it received the connection
 * from, so only the last entry was written by the front end; earlier entries
 * are whatever the client (or proxies before the front end) sent.
 */
export function forwardedAddresses(header: string | undefined): { clientIp?: string; forwardedFor?: string } {
  const entries = (header ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const last = entries.pop();
  if (last === undefined) return {};
  // App Service writes "address:port" for IPv4; the port says nothing about who called.
  const clientIp = (/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(last)?.[1] ?? last).slice(0, 100);
  return entries.length > 0 ? { clientIp, forwardedFor: entries.join(", ").slice(0, 300) } : { clientIp };
}

/**
 * Who called, for the audit trail. The principal headers are the signed-in
 * user only behind App Service Authentication (sign-in mode `entra`), where
 * the platform removes them from outside requests and sets them itself.
 * Without it any key holder can send them, so the caller is the key holder
 * and a claimed name is kept apart as `claimedCaller`, never as `caller`.
 */
export function callerOf(request: ApiRequest, mode: SignInMode): Trigger & { kind: "http" } {
  const header = (name: string) => request.headers.get(name) ?? undefined;
  const claimed =
    header("x-ms-client-principal-name") ??
    header("x-ms-client-principal-id") ??
    (header("x-ms-client-principal") ? "signed-in user" : undefined);
  const user = mode === "entra" ? signedInUser(request.headers) : undefined;
  const identity = user
    ? { caller: user.name, callerVerifiedBy: "appServiceAuthentication" as const }
    : {
        caller: KEY_HOLDER,
        callerVerifiedBy: "functionKey" as const,
        ...(claimed ? { claimedCaller: claimed.slice(0, 300) } : {}),
      };
  const userAgent = header("user-agent")?.slice(0, 300);
  return {
    kind: "http",
    ...identity,
    ...forwardedAddresses(header("x-forwarded-for")),
    ...(userAgent ? { userAgent } : {}),
  };
}
