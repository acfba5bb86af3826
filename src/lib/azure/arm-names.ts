import { GUID } from "./guid";

/**
 * The names ARM allows in the ids this app accepts, so an id ARM would refuse
 * (or that an HTTP client would rewrite, such as a `.` or `..` segment, which
 * URL parsing resolves into a different path) is refused before anything is
 * queued, recorded or sent. Each function returns what is wrong, or undefined.
 */

/**
 * Resource group: 1–90 letters or digits (Unicode letters included), `_`, `-`,
 * `.`, `(`, `)`; cannot end with a period.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftresources
 * and ARM's own answer (400 InvalidResourceGroup: "The name can only be a letter, digit, '-', '.', '(', ')' or '_'",
 * https://github.com/Azure/azure-cli/issues/14481).
 */
const RESOURCE_GROUP_CHARS = /^[\p{L}\p{Nd}_\-.()]+$/u;

export function resourceGroupNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 90) return `resource group name "${clip(name)}" must be 1-90 characters long`;
  if (!RESOURCE_GROUP_CHARS.test(name)) {
    return `resource group name "${clip(name)}" may only contain letters, digits, '_', '-', '.', '(' and ')'`;
  }
  if (name.endsWith(".")) return `resource group name "${clip(name)}" cannot end with a period`;
  return undefined;
}

/**
 * Storage Sync Service: 1–260 alphanumerics, spaces, periods, hyphens and
 * underscores; cannot end with a period or a space.
 * https://learn.microsoft.com/azure/templates/microsoft.storagesync/storagesyncservices (property `name`) and
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftstoragesync
 * (the 2022-09-01 REST spec sets no pattern of its own).
 */
const SERVICE_NAME_CHARS = /^[A-Za-z0-9 ._-]+$/;

export function storageSyncServiceNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 260)
    return `Storage Sync Service name "${clip(name)}" must be 1-260 characters long`;
  if (!SERVICE_NAME_CHARS.test(name)) {
    return `Storage Sync Service name "${clip(name)}" may only contain letters, digits, spaces, '.', '-' and '_'`;
  }
  if (name.endsWith(".") || name.endsWith(" "))
    return `Storage Sync Service name "${clip(name)}" cannot end with a period or a space`;
  return undefined;
}

/** Subscription ids are GUIDs (ARM answers 400 InvalidSubscriptionId otherwise). */
export function subscriptionIdProblem(id: string): string | undefined {
  return GUID.test(id) ? undefined : `subscription id "${clip(id)}" is not a GUID`;
}

/**
 * A registered server's name in its resource id is the server's GUID (the spec's serverId: "GUID identifying the
 * on-premises server").
 */
export function registeredServerIdProblem(id: string): string | undefined {
  return GUID.test(id) ? undefined : `registered server id "${clip(id)}" is not a GUID`;
}

/**
 * `.` and `..` segments: an HTTP client resolves them, so the request would reach another resource than the id names.
 */
export function dotSegmentProblem(id: string): string | undefined {
  const dot = id.split("/").find((s) => s === "." || s === "..");
  return dot === undefined ? undefined : `it has a "${dot}" segment`;
}

function clip(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}
