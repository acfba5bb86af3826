import { type ArmConnection, toArmErrorInfo, armUrl, listArmJson, parseResourceId } from "../../lib/azure";
import { check, type Check } from "./check";
import type { Estate } from "./estate";
import { missingActions } from "./missing-actions";
import { permissionEntriesOf, type PermissionEntry } from "./permission-set";
import { requiredAt, type RequirementScope } from "./required-actions";

export const PERMISSIONS_API_VERSION = "2022-04-01";

/**
 * Where the doctor asks for the caller's permissions: each service (also one
 * it could not read: the missing read is what to name), its resource group,
 * each storage account behind a cloud endpoint.
 */
export function rightsScopes(estate: Estate): Array<{ scope: string; kind: RequirementScope }> {
  const scopes = new Map<string, { scope: string; kind: RequirementScope }>();
  const services = [...estate.services.map((s) => s.serviceId), ...estate.unreadable.map((u) => u.serviceId)];
  for (const serviceId of services) {
    const id = parseResourceId(serviceId);
    const resourceGroupId = `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup ?? ""}`;
    scopes.set(serviceId.toLowerCase(), { scope: serviceId, kind: "service" });
    scopes.set(resourceGroupId.toLowerCase(), { scope: resourceGroupId, kind: "resourceGroup" });
  }
  for (const a of estate.storageAccountIds) scopes.set(a.toLowerCase(), { scope: a, kind: "storageAccount" });
  return [...scopes.values()];
}

/** The caller's effective permissions at a scope (Permissions_ListForResourceGroup / _ListForResource). */
export async function callerPermissions(arm: ArmConnection, scope: string): Promise<PermissionEntry[]> {
  return permissionEntriesOf(
    await listArmJson(
      arm.raw,
      armUrl(arm.endpoint, `${scope}/providers/Microsoft.Authorization/permissions`, PERMISSIONS_API_VERSION),
    ),
  );
}

/** One check per missing action (naming the role that grants it), or one ok per scope. */
export function rightsChecks(
  who: string,
  scope: string,
  kind: RequirementScope,
  entries: PermissionEntry[],
  pruning: boolean,
): Check[] {
  const required = requiredAt(kind, pruning);
  const missing = missingActions(entries, required);
  if (missing.length === 0)
    return [check("rights", "ok", `${who} may do all ${required.length} actions a run needs at ${scope}`)];
  return missing.map((m) =>
    check("rights", "problem", `${who} lacks ${m.required.action} at ${scope}`, {
      detail:
        m.reason === "condition"
          ? `a role allows it only under a condition that refuses the File Sync roles; needed to ${m.required.why}`
          : `needed to ${m.required.why}`,
      remedy: `assign ${m.required.role} at ${scope} (or above) to ${who}`,
    }),
  );
}

export async function checkCallerRights(arm: ArmConnection, estate: Estate, pruning: boolean): Promise<Check[]> {
  const checks: Check[] = [];
  for (const { scope, kind } of rightsScopes(estate)) {
    try {
      checks.push(...rightsChecks("the caller", scope, kind, await callerPermissions(arm, scope), pruning));
    } catch (error) {
      const info = toArmErrorInfo(error);
      checks.push(
        check("rights", "problem", `cannot read the caller's permissions at ${scope}`, {
          detail: `${info.code}: ${info.message}`,
          remedy: `assign Reader at ${scope} (or above) to the caller`,
          evidence: { requestId: info.requestId, path: scope },
        }),
      );
    }
  }
  return checks;
}
