import { type ArmConnection, toArmErrorInfo, getSubscriptionTenant } from "../../lib/azure";
import type { Caller } from "./caller";
import { check, type Check } from "./check";
import type { Estate } from "./estate";

/**
 * The signed-in principal, the subscriptions in scope and their tenants.
 * File Sync does not support topologies across Entra tenants
 * (https://learn.microsoft.com/azure/storage/file-sync/file-sync-managed-identities):
 * every piece in another tenant than the caller's is named.
 */
export async function checkWhoAndWhere(
  arm: ArmConnection,
  caller: Caller,
  subscriptions: string[],
  estate: Estate,
): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(
    caller.objectId
      ? check(
          "who",
          "ok",
          `signed in as ${caller.name && caller.name !== caller.objectId ? `${caller.name} (object id ${caller.objectId})` : `object id ${caller.objectId}`} of tenant ${caller.tenantId ?? "unknown"}`,
        )
      : check("who", "problem", "the access token carries no object id (oid)", {
          remedy: "sign in with a user, service principal or managed identity",
        }),
  );
  for (const sub of subscriptions) {
    let tenant: string | undefined;
    try {
      tenant = await getSubscriptionTenant(arm, sub);
    } catch (error) {
      const info = toArmErrorInfo(error);
      checks.push(
        check("who", "problem", `cannot read subscription ${sub}`, {
          detail: `${info.code}: ${info.message}`,
          remedy: `assign Reader on /subscriptions/${sub} to the caller, or sign in to the subscription's tenant`,
          evidence: { requestId: info.requestId, path: `/subscriptions/${sub}` },
        }),
      );
      continue;
    }
    const foreign =
      tenant !== undefined && caller.tenantId !== undefined && tenant.toLowerCase() !== caller.tenantId.toLowerCase();
    checks.push(
      foreign
        ? check(
            "who",
            "problem",
            `subscription ${sub} belongs to tenant ${tenant}, not the caller's ${caller.tenantId}`,
            {
              detail: "File Sync does not support a service, servers, identities or storage in different Entra tenants",
              remedy: "run the product in the subscription's own tenant; move cross-tenant pieces into one tenant",
            },
          )
        : check("who", "ok", `subscription ${sub} in tenant ${tenant ?? "unknown"}`),
    );
  }
  for (const s of estate.services) {
    for (const group of s.snapshot.syncGroups) {
      for (const cloud of group.cloudEndpoints) {
        const t = cloud.storageAccountTenantId;
        if (t && caller.tenantId && t.toLowerCase() !== caller.tenantId.toLowerCase()) {
          checks.push(
            check("who", "problem", `cloud endpoint ${cloud.resourceId} uses a storage account of tenant ${t}`, {
              remedy: "File Sync does not support cross-tenant storage: use a storage account of the service's tenant",
            }),
          );
        }
      }
    }
  }
  for (const u of estate.unreadable) {
    checks.push(
      check("who", "problem", `cannot read ${u.serviceId}`, {
        detail: `${u.code}: ${u.message}`,
        remedy: "check the id and assign Reader (or Azure File Sync Administrator) on the service to the caller",
        evidence: { requestId: u.requestId, path: u.serviceId },
      }),
    );
  }
  return checks;
}
