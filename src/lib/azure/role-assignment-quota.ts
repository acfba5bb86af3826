import type { ArmConnection } from "./arm-connection";
import { listRoleAssignmentsAt } from "./role-assignments";

/**
 * Role assignments that count against a subscription's limit of 4,000: those
 * at the subscription, its resource groups and resources
 * (learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits);
 * assignments inherited from a management group are listed by ARM but not
 * counted. One paged list read per subscription.
 */
export async function countSubscriptionRoleAssignments(arm: ArmConnection, subscriptionId: string): Promise<number> {
  const assignments = await listRoleAssignmentsAt(arm, `/subscriptions/${subscriptionId}`);
  return assignments.filter((a) => a.inheritedBy === undefined).length;
}
