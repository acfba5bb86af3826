/**
 * ARM resource ids: parsing, scope containment and parent lookup. ARM treats
 * ids case-insensitively and SDKs sometimes put a double slash in front of
 * scopes, so everything here compares lower-cased, slash-normalised ids.
 */

import {
  dotSegmentProblem,
  registeredServerIdProblem,
  resourceGroupNameProblem,
  storageSyncServiceNameProblem,
  subscriptionIdProblem,
} from "./arm-names";

interface ResourceTypeSegment {
  type: string;
  name: string;
}

export interface ParsedResourceId {
  /** The id with one leading slash and no trailing slash, case preserved. */
  id: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** Resource provider namespace, e.g. Microsoft.StorageSync. */
  provider?: string;
  /** Full type, e.g. Microsoft.StorageSync/storageSyncServices/registeredServers. */
  resourceType?: string;
  /** Name of the last resource in the id. */
  name?: string;
  /** The type/name pairs after the provider. */
  segments: ResourceTypeSegment[];
}

class InvalidResourceIdError extends Error {
  constructor(id: string, why: string) {
    super(`Invalid ARM resource id "${id}": ${why}`);
    this.name = "InvalidResourceIdError";
  }
}

/** One leading slash, no trailing or doubled slashes; case preserved (for display and for ARM requests). */
export function normalizeResourceId(id: string): string {
  return (
    "/" +
    id
      .trim()
      .split("/")
      .filter((s) => s.length > 0)
      .join("/")
  );
}

/**
 * The form in which two ids are compared or keyed: normalised and lower-cased, as ARM treats ids case-insensitively.
 */
export function resourceIdKey(id: string): string {
  return normalizeResourceId(id).toLowerCase();
}

/** Parses a subscription, resource group or resource id; throws InvalidResourceIdError saying what is wrong. */
export function parseResourceId(id: string): ParsedResourceId {
  if (typeof id !== "string" || id.trim() === "") throw new InvalidResourceIdError(String(id), "it is empty");
  const dots = dotSegmentProblem(id);
  if (dots) throw new InvalidResourceIdError(id, dots);
  const normalized = normalizeResourceId(id);
  const parts = normalized.split("/").slice(1);
  if (parts[0]?.toLowerCase() !== "subscriptions" || !parts[1]) {
    throw new InvalidResourceIdError(id, "it must start with /subscriptions/{subscriptionId}");
  }
  const result: ParsedResourceId = { id: normalized, subscriptionId: parts[1].toLowerCase(), segments: [] };
  let rest = parts.slice(2);
  if (rest[0]?.toLowerCase() === "resourcegroups") {
    if (!rest[1]) throw new InvalidResourceIdError(id, "resourceGroups has no name");
    result.resourceGroup = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0) return result;
  if (rest[0]?.toLowerCase() !== "providers" || !rest[1]) {
    throw new InvalidResourceIdError(id, "expected /providers/{namespace} after the resource group");
  }
  result.provider = rest[1];
  rest = rest.slice(2);
  if (rest.length === 0 || rest.length % 2 !== 0) {
    throw new InvalidResourceIdError(id, "resource types and names must come in pairs");
  }
  for (let i = 0; i < rest.length; i += 2) {
    result.segments.push({ type: rest[i] as string, name: rest[i + 1] as string });
  }
  result.resourceType = [result.provider, ...result.segments.map((s) => s.type)].join("/");
  result.name = result.segments[result.segments.length - 1]?.name;
  return result;
}

/** True when `inner` is `outer` or lies below it (case-insensitive). */
export function isSameOrDescendantScope(inner: string, outer: string): boolean {
  const a = resourceIdKey(inner);
  const b = resourceIdKey(outer);
  return a === b || a.startsWith(b + "/");
}

/** True when the resource lies within (or is) one of the scopes. */
export function isWithinScopes(resourceId: string, scopes: string[]): boolean {
  return scopes.some((scope) => isSameOrDescendantScope(resourceId, scope));
}

/**
 * The Storage Sync Service a resource belongs to (the service itself, a
 * registered server, sync group, cloud or server endpoint), or undefined for
 * anything else or an unparsable id.
 */
export function storageSyncServiceIdOf(resourceId: string): string | undefined {
  let parsed: ParsedResourceId;
  try {
    parsed = parseResourceId(resourceId);
  } catch {
    return undefined;
  }
  const first = parsed.segments[0];
  if (parsed.provider?.toLowerCase() !== "microsoft.storagesync" || !parsed.resourceGroup || !first) return undefined;
  if (first.type.toLowerCase() !== "storagesyncservices") return undefined;
  // The first eight segments: subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/storageSyncServices/{name}.
  return "/" + parsed.id.split("/").slice(1, 9).join("/");
}

/** The last path segment of an id (a registered server's GUID, a share's name …). */
export function lastSegment(resourceId: string): string {
  const parts = normalizeResourceId(resourceId).split("/");
  return parts[parts.length - 1] ?? "";
}

/**
 * What is wrong with a Storage Sync Service id that came from outside (HTTP
 * API, queue message, event), or undefined when it is exactly
 * /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.StorageSync/storageSyncServices/{name}
 * with names ARM allows. The one check every entry point makes.
 */
export function storageSyncServiceIdProblem(id: string): string | undefined {
  const dots = dotSegmentProblem(id);
  if (dots) return dots;
  const parts = id.split("/");
  const literals: Array<[number, string]> = [
    [1, "subscriptions"],
    [3, "resourcegroups"],
    [5, "providers"],
    [6, "microsoft.storagesync"],
    [7, "storagesyncservices"],
  ];
  if (parts.length !== 9 || parts[0] !== "" || literals.some(([i, word]) => parts[i]?.toLowerCase() !== word)) {
    return "expected /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.StorageSync/storageSyncServices/{name}";
  }
  return (
    subscriptionIdProblem(parts[2] ?? "") ??
    resourceGroupNameProblem(parts[4] ?? "") ??
    storageSyncServiceNameProblem(parts[8] ?? "")
  );
}

/**
 * What is wrong with a MANAGED_SCOPES entry: /subscriptions/{guid} or /subscriptions/{guid}/resourceGroups/{rg}, or
 * undefined.
 */
export function managedScopeProblem(scope: string): string | undefined {
  const dots = dotSegmentProblem(scope);
  if (dots) return dots;
  const parts = scope.split("/");
  const shapeOk =
    parts[0] === "" &&
    parts[1]?.toLowerCase() === "subscriptions" &&
    (parts.length === 3 || (parts.length === 5 && parts[3]?.toLowerCase() === "resourcegroups"));
  if (!shapeOk)
    return "expected /subscriptions/{subscriptionId} or /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
  return (
    subscriptionIdProblem(parts[2] ?? "") ?? (parts.length === 5 ? resourceGroupNameProblem(parts[4] ?? "") : undefined)
  );
}

/**
 * What is wrong with the Storage Sync Service part of a resource below one (a
 * registered server, sync group, endpoint), including a registered server id
 * that is not a GUID; undefined when the resource is not a Storage Sync one.
 */
export function storageSyncResourceProblem(resourceId: string): string | undefined {
  const dots = dotSegmentProblem(resourceId);
  if (dots) return dots;
  const serviceId = storageSyncServiceIdOf(resourceId);
  if (!serviceId) return undefined;
  const service = storageSyncServiceIdProblem(serviceId);
  if (service) return service;
  const child = parseResourceId(resourceId).segments[1];
  return child?.type.toLowerCase() === "registeredservers" ? registeredServerIdProblem(child.name) : undefined;
}
