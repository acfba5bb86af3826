import {
  isProductAssignment,
  ROLE,
  ROLE_NAMES,
  type RoleAssignmentView,
  type RoleDefinitionGuid,
  normalizeResourceId,
} from "../azure";
import type { DeleteRoleAssignmentAction } from "./actions";
import { isForeignTenant, serviceTenantOf } from "./classify-all";
import { fileShareScope, serversBehindEndpoint } from "./required-grants";
import type { Snapshot } from "./snapshot";

/**
 * PRUNE_STALE_GRANTS: the Storage File Data Privileged Contributor assignments
 * this product created (its deterministic name) on a share this service syncs,
 * for a principal that neither the service nor any server syncing that share
 * uses any more (a machine re-created, a server moved or unregistered). An Azure
 * file share is the cloud endpoint of one sync group only, so nothing else can
 * need them. Storage Account Contributor on an account is never pruned: other
 * Storage Sync Services may share the account.
 */
export function staleGrants(snapshot: Snapshot): RoleAssignmentView[] {
  if (!snapshot.accountAssignments) return [];
  const serviceTenant = serviceTenantOf(snapshot);
  const needed = new Map<string, Set<string>>();
  for (const group of snapshot.syncGroups) {
    const principals = new Set<string>();
    if (snapshot.service.identity.principalId) principals.add(snapshot.service.identity.principalId.toLowerCase());
    for (const endpoint of group.serverEndpoints) {
      for (const server of endpoint.serverResourceId
        ? serversBehindEndpoint(endpoint.serverResourceId, snapshot.servers)
        : []) {
        for (const p of [server.applicationId, server.latestApplicationId]) if (p) principals.add(p.toLowerCase());
      }
    }
    for (const cloud of group.cloudEndpoints) {
      if (
        !cloud.storageAccountResourceId ||
        !cloud.azureFileShareName ||
        isForeignTenant(cloud.storageAccountTenantId, serviceTenant)
      )
        continue;
      const scope = fileShareScope(cloud.storageAccountResourceId, cloud.azureFileShareName).toLowerCase();
      needed.set(scope, new Set([...(needed.get(scope) ?? []), ...principals]));
    }
  }
  return snapshot.accountAssignments.filter((a) => {
    const principals = needed.get(normalizeResourceId(a.scope).toLowerCase());
    return (
      principals !== undefined &&
      a.roleDefinitionGuid === ROLE.storageFileDataPrivilegedContributor &&
      isProductAssignment(a) &&
      !principals.has(a.principalId)
    );
  });
}

/** One deletion per stale grant; they depend on nothing and nothing depends on them. */
export function deletionActions(snapshot: Snapshot): DeleteRoleAssignmentAction[] {
  return staleGrants(snapshot).map((stale) => {
    const roleName = ROLE_NAMES[stale.roleDefinitionGuid as RoleDefinitionGuid] ?? stale.roleDefinitionGuid;
    return {
      id: `delete:${stale.id.toLowerCase()}`,
      kind: "deleteRoleAssignment",
      dependsOn: [],
      description: `Remove the stale grant of ${roleName} to ${stale.principalId} on ${stale.scope} (created by this product; no server syncing the share uses that principal any more)`,
      assignmentId: stale.id,
      scope: stale.scope,
      principalId: stale.principalId,
      roleDefinitionGuid: stale.roleDefinitionGuid,
      roleName,
    };
  });
}
