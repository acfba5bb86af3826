import { badRequest } from "../arm-error";
import type { EmulatorCore } from "../core";
import type { ServiceIdentityRecord } from "../state";
import { objectProp, stringProp } from "./types";

/**
 * Applies a requested `identity` block the way ARM does for a tracked
 * resource: the type says which identities the resource has afterwards.
 * Enabling the system-assigned identity creates a new principal (kept if it
 * already exists); a type without UserAssigned drops every user-assigned
 * identity (so `SystemAssigned` on a `UserAssigned` service removes it);
 * `userAssignedIdentities` entries set to null are removed.
 */
export function applyIdentityRequest(
  core: EmulatorCore,
  current: ServiceIdentityRecord | undefined,
  requested: unknown,
  owner: string,
): ServiceIdentityRecord | undefined {
  const rawType = stringProp(requested, "type");
  if (rawType === undefined) throw badRequest("InvalidIdentity", "The identity type is required.");
  const type = rawType.replace(/\s+/g, "").toLowerCase();
  const known = ["none", "systemassigned", "userassigned", "systemassigned,userassigned"];
  if (!known.includes(type)) {
    throw badRequest(
      "InvalidIdentityType",
      `The identity type '${rawType}' is not supported. Supported types: None, SystemAssigned, UserAssigned, 'SystemAssigned,UserAssigned'.`,
    );
  }
  const wantSystem = type.includes("systemassigned");
  const wantUser = type.includes("userassigned");
  // Turning the system identity off deletes its service principal from the directory.
  if (!wantSystem && current?.principalId) core.state.principals.delete(current.principalId.toLowerCase());
  if (type === "none") return undefined;

  const principalId = wantSystem
    ? (current?.principalId ?? core.newPrincipal(`${owner} (system-assigned)`).principalId)
    : undefined;

  let userAssigned: ServiceIdentityRecord["userAssigned"] = {};
  if (wantUser) {
    userAssigned = { ...(current?.userAssigned ?? {}) };
    const requestedUser = objectProp(requested, "userAssignedIdentities") ?? {};
    for (const [resourceId, value] of Object.entries(requestedUser)) {
      const existing = Object.keys(userAssigned).find((k) => k.toLowerCase() === resourceId.toLowerCase());
      if (value === null) {
        if (existing) delete userAssigned[existing];
      } else if (!existing) {
        const p = core.newPrincipal(resourceId);
        userAssigned[resourceId] = { principalId: p.principalId, clientId: p.principalId };
      }
    }
    if (Object.keys(userAssigned).length === 0) {
      throw badRequest(
        "BadRequest",
        `The identity type '${rawType}' requires at least one entry in 'userAssignedIdentities'.`,
      );
    }
  }
  return { principalId, userAssigned };
}
