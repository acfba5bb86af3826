import { type ArmErrorInfo, parseResourceId, type RoleAssignmentQuota } from "../azure";
import type { GrantRoleAction, PlannedAction } from "./actions";

/** A grant the run will not send: its subscription has no room for it. */
export interface RefusedGrant {
  error: ArmErrorInfo;
  remedy: string;
}

export const LIMIT_EXCEEDED = "RoleAssignmentLimitExceeded";

export const subscriptionOfScope = (scope: string): string => parseResourceId(scope).subscriptionId.toLowerCase();

/** The remedy for a subscription at its limit: its count, and how much of it can be reclaimed. */
export function quotaRemedy(q: RoleAssignmentQuota): string {
  return (
    `Subscription ${q.subscriptionId} holds ${q.count.toLocaleString("en-US")} of ${q.limit.toLocaleString("en-US")} role assignments (Azure's fixed limit): ` +
    `${q.orphaned} of them are orphaned (their identity was deleted, "Identity not found"), ${q.productStale} of those are this product's grants of replaced identities. ` +
    "Remove orphaned and redundant assignments (or set PRUNE_STALE_GRANTS with a deployment that may delete), assign at a broader scope, or move the storage account to another subscription; then re-run."
  );
}

/**
 * PURE: which planned grants the subscriptions' headroom can hold. The
 * service identity's grants come first (without them useIdentity is never
 * set), then each server's grants as a whole, in plan order: a server whose
 * grants do not all fit gets none, so no assignment is spent on a server that
 * cannot be switched. Everything that does not fit is refused before it is sent.
 */
export function refuseGrantsBeyondQuota(
  actions: PlannedAction[],
  quotas: ReadonlyMap<string, RoleAssignmentQuota>,
): Map<string, RefusedGrant> {
  const room = new Map([...quotas].map(([sub, q]) => [sub, q.limit - q.count]));
  const refused = new Map<string, RefusedGrant>();
  const grants = actions.filter((a): a is GrantRoleAction => a.kind === "grantRole");
  const groups: GrantRoleAction[][] = [grants.filter((g) => g.principal.kind === "service")];
  const byServer = new Map<string, GrantRoleAction[]>();
  for (const grant of grants) {
    if (grant.principal.kind !== "server") continue;
    const key = grant.principal.serverIds[0] ?? grant.id;
    byServer.set(key, [...(byServer.get(key) ?? []), grant]);
  }
  groups.push(...byServer.values());
  for (const group of groups) {
    const need = new Map<string, number>();
    for (const g of group) need.set(subscriptionOfScope(g.scope), (need.get(subscriptionOfScope(g.scope)) ?? 0) + 1);
    const short = [...need].find(([sub, n]) => room.has(sub) && (room.get(sub) as number) < n);
    if (!short) {
      for (const [sub, n] of need) if (room.has(sub)) room.set(sub, (room.get(sub) as number) - n);
      continue;
    }
    const quota = quotas.get(short[0]) as RoleAssignmentQuota;
    for (const g of group) {
      const message = `No more role assignments can be created in subscription ${quota.subscriptionId}: it holds ${quota.count} of ${quota.limit}, and this run's grants need ${short[1]} more than the ${Math.max(0, room.get(short[0]) as number)} left; not sent.`;
      refused.set(g.id, { error: { code: LIMIT_EXCEEDED, message, statusCode: 400 }, remedy: quotaRemedy(quota) });
    }
  }
  return refused;
}
