import type { ArmConnection } from "./arm-connection";
import { isProductAssignment, listRoleAssignmentsAt } from "./role-assignments";

/**
 * Azure allows at most 4,000 role assignments per subscription, counting
 * those at subscription, resource-group and resource scope (conditional ones
 * included; management-group scope has its own limit), until someone removes
 * them even when their principal was deleted
 * (https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits).
 */
export const ROLE_ASSIGNMENT_LIMIT = 4000;

/** One subscription's role-assignment quota as a run read it. */
export interface RoleAssignmentQuota {
  subscriptionId: string;
  /** Assignments at or below the subscription (what counts against the limit). */
  count: number;
  limit: number;
  /** Of `count`: assignments whose principal no longer exists (principalType Unknown, "Identity not found"). */
  orphaned: number;
  /** Of `orphaned`: this product's own grants (deterministic names) of identities that were replaced. */
  productStale: number;
}

/**
 * One unfiltered list at the subscription: every assignment at, above and
 * below it, paged by the SDK. Those above (management groups, root) do not
 * count. The only documented read that gives the count.
 */
export async function readRoleAssignmentQuota(
  arm: ArmConnection,
  subscriptionId: string,
  limit: number,
  options: { abortSignal?: AbortSignal } = {},
): Promise<RoleAssignmentQuota> {
  const all = await listRoleAssignmentsAt(arm, `/subscriptions/${subscriptionId}`, options);
  const counted = all.filter((a) => !a.inheritedBy);
  const orphaned = counted.filter((a) => a.principalType?.toLowerCase() === "unknown");
  return {
    subscriptionId: subscriptionId.toLowerCase(),
    count: counted.length,
    limit,
    orphaned: orphaned.length,
    productStale: orphaned.filter(isProductAssignment).length,
  };
}
