import { type ArmConnection, toArmErrorInfo, armUrl, listArmJson, sendArmJson, sameGuid } from "../../lib/azure";
import { hostNamesMatch } from "../../lib/reconcile";
import { check, type Check } from "./check";
import type { Estate } from "./estate";
import type { ExchangeLog } from "./exchange-log";
import { conditionAllows, entriesAllowing, permissionEntriesOf } from "./permission-set";
import { ASSIGNED_ROLES } from "./required-actions";
import { CONFORMANCE_TITLE } from "./spec-conformance";

/**
 * Azure File Sync Administrator
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#azure-file-sync-administrator).
 */
export const FILE_SYNC_ADMINISTRATOR = "92b92042-07d9-4307-87f7-36a593fc5850";

const mismatch = (what: string, detail: string, evidence: Check["evidence"]): Check =>
  check("conformance", "problem", `${CONFORMANCE_TITLE}: ${what}`, {
    detail,
    remedy: "attach the report (--report FILE) to a bug report of this product",
    evidence,
  });

/**
 * The File Sync Administrator role definition has what the deployment relies
 * on: Storage Sync writes, role assignment writes, and a condition that lets
 * those writes through for the File Sync roles.
 */
export async function checkFileSyncAdministratorRole(
  arm: ArmConnection,
  subscriptionId: string,
  log: ExchangeLog,
): Promise<Check[]> {
  const path = `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${FILE_SYNC_ADMINISTRATOR}`;
  let body: unknown;
  try {
    body = (await sendArmJson(arm.raw, "GET", armUrl(arm.endpoint, path, "2022-04-01"))).body;
  } catch (error) {
    const info = toArmErrorInfo(error);
    return [
      check("conformance", "warning", "cannot read the Azure File Sync Administrator role definition", {
        detail: `${info.code}: ${info.message}`,
      }),
    ];
  }
  const requestId = log.find("GET", path)?.requestId;
  const permissions = (body as { properties?: { permissions?: unknown } } | undefined)?.properties?.permissions;
  const entries = permissionEntriesOf(Array.isArray(permissions) ? permissions : []);
  const checks: Check[] = [];
  for (const action of [
    "Microsoft.StorageSync/storageSyncServices/write",
    "Microsoft.Authorization/roleAssignments/write",
  ]) {
    if (entriesAllowing(entries, action).length === 0)
      checks.push(
        mismatch(`Azure File Sync Administrator lacks ${action}`, "the deployment assigns this role for it", {
          requestId,
          method: "GET",
          path,
          field: "properties.permissions[].actions",
          expected: action,
        }),
      );
  }
  const writers = entriesAllowing(entries, "Microsoft.Authorization/roleAssignments/write");
  const conditionOk = writers.some(
    (e) =>
      e.condition !== undefined &&
      ASSIGNED_ROLES.every((role) =>
        conditionAllows(e.condition as string, "Microsoft.Authorization/roleAssignments/write", {
          roleDefinitionGuid: role,
          principalType: "ServicePrincipal",
        }),
      ),
  );
  if (writers.length > 0 && !conditionOk)
    checks.push(
      mismatch(
        "the Azure File Sync Administrator condition",
        "its condition should limit role assignment writes to the File Sync roles, including both this product assigns",
        {
          requestId,
          method: "GET",
          path,
          field: "properties.permissions[].condition",
          expected: `GuidEquals {…${ASSIGNED_ROLES.join(", ")}…}`,
        },
      ),
    );
  if (checks.length === 0)
    checks.push(
      check(
        "conformance",
        "ok",
        "Azure File Sync Administrator has the actions and the condition the deployment relies on",
      ),
    );
  return checks;
}

interface MachinePrincipal {
  id: string;
  name: string;
  principalId?: string;
}

async function machinesOf(arm: ArmConnection, subscriptionId: string): Promise<MachinePrincipal[]> {
  const lists = [
    [`/subscriptions/${subscriptionId}/providers/Microsoft.HybridCompute/machines`, "2024-07-10"],
    [`/subscriptions/${subscriptionId}/providers/Microsoft.Compute/virtualMachines`, "2024-07-01"],
  ] as const;
  const machines: MachinePrincipal[] = [];
  for (const [path, version] of lists) {
    for (const item of await listArmJson(arm.raw, armUrl(arm.endpoint, path, version))) {
      const o = item as { id?: unknown; name?: unknown; identity?: { principalId?: unknown } };
      if (typeof o.id !== "string" || typeof o.name !== "string") continue;
      machines.push({
        id: o.id,
        name: o.name,
        ...(typeof o.identity?.principalId === "string" ? { principalId: o.identity.principalId } : {}),
      });
    }
  }
  return machines;
}

/**
 * A switched server (`activeAuthType` ManagedIdentity) holds in `applicationId`
 * the principal of its machine's system-assigned identity (the agent takes
 * the `oid` of that identity's token). A difference is a broken trust.
 */
export async function checkServerPrincipals(arm: ArmConnection, estate: Estate, log: ExchangeLog): Promise<Check[]> {
  const checks: Check[] = [];
  const bySubscription = new Map<string, MachinePrincipal[]>();
  for (const s of estate.services) {
    const key = s.subscriptionId.toLowerCase();
    if (!bySubscription.has(key)) {
      try {
        bySubscription.set(key, await machinesOf(arm, s.subscriptionId));
      } catch (error) {
        const info = toArmErrorInfo(error);
        checks.push(
          check("conformance", "warning", `cannot list machines of subscription ${s.subscriptionId}`, {
            detail: `${info.code}: ${info.message}`,
            remedy: "assign Reader to the caller",
          }),
        );
        bySubscription.set(key, []);
      }
    }
    const machines = bySubscription.get(key) ?? [];
    const listPath = `${s.serviceId}/registeredServers`;
    const requestId = log.find("GET", listPath)?.requestId;
    for (const server of s.snapshot.servers) {
      if (
        server.activeAuthType?.toLowerCase() !== "managedidentity" ||
        server.serverRole?.toLowerCase() === "clustername"
      )
        continue;
      const candidates = machines.filter((m) => hostNamesMatch(m.name, [server.serverName, server.friendlyName]));
      if (candidates.length !== 1 || !candidates[0]?.principalId) continue;
      const machine = candidates[0];
      if (!sameGuid(server.applicationId, machine.principalId))
        checks.push(
          mismatch(
            `server ${server.name} applicationId`,
            `a switched server should hold its machine's (${machine.id}) system-assigned principal; it holds ${server.applicationId ?? "none"} (broken trust: run apply, which grants the new principal and repairs the server)`,
            {
              requestId,
              method: "GET",
              path: server.resourceId,
              field: "properties.applicationId",
              expected: machine.principalId,
            },
          ),
        );
    }
  }
  return checks;
}
