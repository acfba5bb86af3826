import {
  ROLE,
  ROLE_NAMES,
  type RoleDefinitionGuid,
  lastSegment,
  normalizeResourceId,
  type RegisteredServerView,
} from "../azure";
import { isForeignTenant, serviceTenantOf } from "./classify-all";
import { needsShareGrants, type ServerClassification } from "./eligibility";
import type { Snapshot } from "./snapshot";

/** One grant the topology requires, before looking at what exists. */
export interface RequiredGrant {
  scope: string;
  storageAccountId: string;
  roleDefinitionGuid: RoleDefinitionGuid;
  roleName: string;
  /** "service", or a server principal id. */
  principal: { kind: "service" } | { kind: "server"; principalId: string; serverIds: string[] };
}

export function fileShareScope(storageAccountId: string, shareName: string): string {
  return `${normalizeResourceId(storageAccountId)}/fileServices/default/fileshares/${shareName}`;
}

/**
 * The servers a server endpoint stands for: the registered server it names,
 * or, when it names a cluster's ClusterName entry (serverId == clusterId of
 * the nodes), every node of that cluster.
 */
export function serversBehindEndpoint(
  serverResourceId: string,
  servers: RegisteredServerView[],
): RegisteredServerView[] {
  const targetId = lastSegment(serverResourceId).toLowerCase();
  const nodes = servers.filter((s) => s.clusterId === targetId && s.serverId !== targetId);
  const target = servers.find((s) => s.serverId === targetId);
  if (nodes.length > 0 || target?.serverRole?.toLowerCase() === "clustername") return nodes;
  return target ? [target] : [];
}

/**
 * What the cmdlet grants (Set-AzStorageSyncServiceIdentity), for every cloud endpoint of every sync
 * group: both roles for the service on the account and share, and the share
 * role for each server (with an identity to grant) behind a server endpoint
 * of that sync group. Deduplicated; order is stable (topology order).
 */
export function requiredGrants(
  snapshot: Snapshot,
  classifications: Map<string, ServerClassification>,
): RequiredGrant[] {
  const grants = new Map<string, RequiredGrant>();
  const add = (grant: RequiredGrant) => {
    const who = grant.principal.kind === "service" ? "service" : grant.principal.principalId;
    const key = `${grant.scope.toLowerCase()}|${who}|${grant.roleDefinitionGuid}`;
    const existing = grants.get(key);
    if (!existing) grants.set(key, grant);
    else if (existing.principal.kind === "server" && grant.principal.kind === "server") {
      for (const id of grant.principal.serverIds)
        if (!existing.principal.serverIds.includes(id)) existing.principal.serverIds.push(id);
    }
  };
  const serviceTenant = serviceTenantOf(snapshot);
  for (const group of snapshot.syncGroups) {
    for (const cloud of group.cloudEndpoints) {
      if (!cloud.storageAccountResourceId || !cloud.azureFileShareName) continue;
      // File Sync does not support a storage account in another tenant: nothing is granted on it.
      if (isForeignTenant(cloud.storageAccountTenantId, serviceTenant)) continue;
      const account = normalizeResourceId(cloud.storageAccountResourceId);
      const share = fileShareScope(account, cloud.azureFileShareName);
      const shareRole = ROLE.storageFileDataPrivilegedContributor;
      add({
        scope: account,
        storageAccountId: account,
        roleDefinitionGuid: ROLE.storageAccountContributor,
        roleName: ROLE_NAMES[ROLE.storageAccountContributor],
        principal: { kind: "service" },
      });
      add({
        scope: share,
        storageAccountId: account,
        roleDefinitionGuid: shareRole,
        roleName: ROLE_NAMES[shareRole],
        principal: { kind: "service" },
      });
      for (const endpoint of group.serverEndpoints) {
        if (!endpoint.serverResourceId) continue;
        for (const server of serversBehindEndpoint(endpoint.serverResourceId, snapshot.servers)) {
          const verdict = classifications.get(server.serverId);
          if (!verdict?.principalId || !needsShareGrants(verdict.state)) continue;
          add({
            scope: share,
            storageAccountId: account,
            roleDefinitionGuid: shareRole,
            roleName: ROLE_NAMES[shareRole],
            principal: { kind: "server", principalId: verdict.principalId, serverIds: [server.serverId] },
          });
        }
      }
    }
  }
  return [...grants.values()];
}
