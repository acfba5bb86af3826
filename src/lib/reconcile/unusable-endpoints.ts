import { isForeignTenant, serviceTenantOf } from "./classify-all";
import type { ServerVerdict } from "./report";
import { CROSS_TENANT_REMEDY } from "./remedies";
import { serversBehindEndpoint } from "./required-grants";
import type { Snapshot } from "./snapshot";

/**
 * Cloud endpoints no grant can be made on, with a warning each; the eligible
 * servers syncing with them become Failed with their own code (verdicts are
 * changed in place). Returns them: while any is left, useIdentity is not set.
 */
export function holdBackUnusableEndpoints(
  snapshot: Snapshot,
  servers: ServerVerdict[],
  warnings: string[],
): Array<{ cloudId: string }> {
  // A cloud endpoint without account or share (the spec examples show empty ones) cannot be granted on:
  // useIdentity and the switch of every server syncing with it wait until it names both.
  // A storage account in another tenant is not supported by File Sync: the same, with its own code.
  const serviceTenant = serviceTenantOf(snapshot);
  const incomplete = snapshot.syncGroups.flatMap((g) =>
    g.cloudEndpoints
      .filter(
        (c) =>
          !c.storageAccountResourceId ||
          !c.azureFileShareName ||
          isForeignTenant(c.storageAccountTenantId, serviceTenant),
      )
      .map((c) => ({ group: g, cloud: c, foreign: !!c.storageAccountResourceId && !!c.azureFileShareName })),
  );
  for (const { group, cloud, foreign } of incomplete) {
    warnings.push(
      foreign
        ? `Cloud endpoint ${cloud.resourceId}: storage account ${cloud.storageAccountResourceId} is in tenant ${cloud.storageAccountTenantId}, not the service's tenant ${serviceTenant}; File Sync does not support that, so nothing is granted on it, useIdentity is not set and the servers of sync group ${group.name} are not switched. Remedy: ${CROSS_TENANT_REMEDY}`
        : `Cloud endpoint ${cloud.resourceId} names no storage account or file share: its grants cannot be made, so useIdentity is not set and the servers of sync group ${group.name} are not switched.`,
    );
    for (const endpoint of group.serverEndpoints) {
      for (const behind of endpoint.serverResourceId
        ? serversBehindEndpoint(endpoint.serverResourceId, snapshot.servers)
        : []) {
        const verdict = servers.find((v) => v.serverId === behind.serverId);
        if (verdict?.state !== "Eligible") continue;
        verdict.state = "Failed";
        if (foreign) {
          verdict.reason = `Not switched: storage account ${cloud.storageAccountResourceId} of sync group ${group.name} is in another Microsoft Entra tenant (${cloud.storageAccountTenantId}) than the service (${serviceTenant}).`;
          verdict.error = { code: "CrossTenantStorageAccount", message: verdict.reason };
          verdict.remedy = CROSS_TENANT_REMEDY;
        } else {
          verdict.reason = `Not switched: cloud endpoint ${cloud.resourceId} of sync group ${group.name} names no storage account or file share, so the server's grants on it cannot be made.`;
          verdict.error = {
            code: "CloudEndpointIncomplete",
            message: `Cloud endpoint ${cloud.resourceId} has no storageAccountResourceId or azureFileShareName.`,
          };
          verdict.remedy = "Wait for the cloud endpoint to finish provisioning, or fix or remove it, then re-run.";
        }
      }
    }
  }
  return incomplete.map(({ cloud }) => ({ cloudId: cloud.resourceId }));
}
