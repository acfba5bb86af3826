import { sameGuid, isProductAssignment, ROLE, ROLE_NAMES, type RoleAssignmentView } from "../azure";
import type { DeleteRoleAssignmentAction } from "./actions";
import type { ServerClassification } from "./eligibility";
import type { Snapshot } from "./snapshot";

/** The grants of one server's replaced identity that this product made, left behind once the repair succeeds. */
export interface ReplacedGrants {
  serverId: string;
  serverName: string;
  principalId: string;
  assignments: RoleAssignmentView[];
}

/**
 * PURE: for each server this run repairs, this product's own file-share grants
 * (deterministic names) of the principal it replaces, unless the service or
 * another server still uses that principal. They keep counting against the
 * subscription's 4,000 until someone removes them.
 */
export function replacedGrants(
  snapshot: Snapshot,
  classifications: ReadonlyMap<string, ServerClassification>,
): ReplacedGrants[] {
  const found: ReplacedGrants[] = [];
  for (const server of snapshot.servers) {
    const old = classifications.get(server.serverId)?.repairFrom;
    if (!old) continue;
    const stillUsed =
      sameGuid(snapshot.service.identity.principalId, old) ||
      snapshot.servers.some(
        (other) =>
          other.serverId !== server.serverId &&
          (sameGuid(other.applicationId, old) || sameGuid(other.latestApplicationId, old)),
      );
    if (stillUsed) continue;
    const assignments = snapshot.assignments.filter(
      (a) =>
        sameGuid(a.principalId, old) &&
        a.roleDefinitionGuid === ROLE.storageFileDataPrivilegedContributor &&
        !a.inheritedBy &&
        isProductAssignment(a),
    );
    if (assignments.length > 0)
      found.push({ serverId: server.serverId, serverName: server.name, principalId: old.toLowerCase(), assignments });
  }
  return found;
}

/**
 * Deletions of a replaced identity's grants, each after the server's repair (an unrepaired server still needs them).
 */
export function replacedGrantDeletions(
  replaced: ReplacedGrants[],
  repairActionId: (serverId: string) => string,
): DeleteRoleAssignmentAction[] {
  return replaced.flatMap((r) =>
    r.assignments.map((a) => {
      const roleName = ROLE_NAMES[ROLE.storageFileDataPrivilegedContributor];
      return {
        id: `delete:${a.id.toLowerCase()}`,
        kind: "deleteRoleAssignment" as const,
        dependsOn: [repairActionId(r.serverId)],
        description: `Remove the grant of ${roleName} to ${r.principalId} on ${a.scope}: the identity ${r.serverName} was repaired away from (created by this product)`,
        assignmentId: a.id,
        scope: a.scope,
        principalId: a.principalId,
        roleDefinitionGuid: a.roleDefinitionGuid,
        roleName,
      };
    }),
  );
}

/** The run's note when the grants stay: their count, as quota that can be reclaimed. */
export function reclaimableNote(r: ReplacedGrants): string {
  return `${r.serverName}: ${r.assignments.length} grant(s) of its replaced identity ${r.principalId} remain, reclaimable role-assignment quota: remove them (${r.assignments.map((a) => a.id).join(", ")}), or set PRUNE_STALE_GRANTS with a deployment that may delete role assignments.`;
}
