import { isAtOrAbove, normalizePath } from "../resource-id";
import { findRole } from "../roles";
import { requireScope } from "./scope";
import { listReply, type Handler, type HandlerContext } from "./types";

/**
 * Microsoft.Authorization 2022-04-01 Permissions_ListForResourceGroup and
 * Permissions_ListForResource: the caller's effective permissions at a scope,
 * one entry per role assignment the caller holds at that scope or above
 * (https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource).
 * A role's built-in condition, and an assignment's own condition, come back
 * as `condition`/`conditionVersion` (fields of the Permission model from
 * 2022-05-01-preview on; ARM returns them whatever the api-version).
 */
function listPermissions(ctx: HandlerContext) {
  const scope = requireScope(
    ctx.core.state,
    normalizePath(ctx.path.replace(/\/providers\/Microsoft\.Authorization\/permissions$/i, "")),
  );
  const caller = ctx.callerOid.toLowerCase();
  const entries: Record<string, unknown>[] = [];
  for (const a of ctx.core.state.roleAssignments.values()) {
    if (a.principalId.toLowerCase() !== caller || !isAtOrAbove(a.scope, scope)) continue;
    const role = findRole(a.roleDefinitionId);
    if (!role) continue;
    const conditions = [role.condition, a.condition].filter((c): c is string => typeof c === "string" && c !== "");
    entries.push({
      actions: role.actions,
      notActions: role.notActions,
      dataActions: role.dataActions,
      notDataActions: [],
      ...(conditions.length > 0
        ? { condition: conditions.map((c) => `(${c})`).join(" AND "), conditionVersion: "2.0" }
        : {}),
    });
  }
  return listReply(entries);
}

export const permissionHandlers: Record<string, Handler> = {
  Permissions_ListForResourceGroup: listPermissions,
  Permissions_ListForResource: listPermissions,
};
