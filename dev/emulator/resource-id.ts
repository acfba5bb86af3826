/** Helpers for ARM resource ids: normalised keys, parents, ancestors. */

/** Collapses repeated slashes (the SDKs send `//subscriptions/…` for scopes) and drops a trailing one. */
export function normalizePath(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, "/");
  return collapsed.length > 1 && collapsed.endsWith("/") ? collapsed.slice(0, -1) : collapsed;
}

/** ARM ids compare case-insensitively; this is the map key for an id. */
export function idKey(id: string): string {
  return normalizePath(id).toLowerCase();
}

/** True when `ancestor` is `scope` or one of its ancestors (case-insensitive). */
export function isAtOrAbove(ancestor: string, scope: string): boolean {
  return isAtOrAboveKey(idKey(ancestor), idKey(scope));
}

/** `isAtOrAbove` of two ids already made keys with `idKey`. */
export function isAtOrAboveKey(ancestorKey: string, scopeKey: string): boolean {
  if (ancestorKey === "/") return true;
  return scopeKey === ancestorKey || scopeKey.startsWith(ancestorKey + "/");
}

export interface ParsedScope {
  subscriptionId?: string;
  resourceGroup?: string;
  /** `Microsoft.X/type/name[/child/name…]` after the last `providers/` */
  resourcePath?: string;
}

export function parseScope(scope: string): ParsedScope {
  const parts = normalizePath(scope)
    .split("/")
    .filter((p) => p.length > 0);
  const out: ParsedScope = {};
  if (parts[0]?.toLowerCase() === "subscriptions" && parts[1]) out.subscriptionId = parts[1];
  if (parts[2]?.toLowerCase() === "resourcegroups" && parts[3]) out.resourceGroup = parts[3];
  const providersAt = parts.findIndex((p) => p.toLowerCase() === "providers");
  if (providersAt >= 0 && parts.length > providersAt + 1) out.resourcePath = parts.slice(providersAt + 1).join("/");
  return out;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);
