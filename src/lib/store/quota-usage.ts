import type { RoleAssignmentQuota } from "../azure";
import type { RoleAssignmentQuotaRecord } from "./rows";

/** Above this share of the limit a subscription is reported (telemetry event, status warning). */
export const QUOTA_WARNING_RATIO = 0.9;

/** "3,996 of 4,000 (99.9 %)": how the status API's consumers, the page and the CLI show a subscription's usage. */
export function quotaUsageText(q: Pick<RoleAssignmentQuotaRecord, "count" | "limit">): string {
  const share = q.limit > 0 ? ((q.count / q.limit) * 100).toFixed(1) : "100.0";
  return `${q.count.toLocaleString("en-US")} of ${q.limit.toLocaleString("en-US")} (${share} %)`;
}

export const isQuotaNearlyFull = (q: Pick<RoleAssignmentQuotaRecord, "count" | "limit">): boolean =>
  q.count > q.limit * QUOTA_WARNING_RATIO;

/** A service row's quotas after a run: the subscriptions it read replace their earlier entries, the others stay. */
export function mergeQuotas(
  previous: RoleAssignmentQuotaRecord[],
  read: RoleAssignmentQuota[] | undefined,
  checkedAt: string,
): RoleAssignmentQuotaRecord[] {
  if (!read || read.length === 0) return previous;
  const fresh = read.map((q) => ({ ...q, subscriptionId: q.subscriptionId.toLowerCase(), checkedAt }));
  const readSubs = new Set(fresh.map((q) => q.subscriptionId));
  return [...previous.filter((q) => !readSubs.has(q.subscriptionId.toLowerCase())), ...fresh];
}

/** One entry per subscription across services: the latest read of each, highest usage first. */
export function quotasBySubscription(
  lists: ReadonlyArray<readonly RoleAssignmentQuotaRecord[]>,
): RoleAssignmentQuotaRecord[] {
  const latest = new Map<string, RoleAssignmentQuotaRecord>();
  for (const q of lists.flat()) {
    const key = q.subscriptionId.toLowerCase();
    const seen = latest.get(key);
    if (!seen || q.checkedAt > seen.checkedAt) latest.set(key, q);
  }
  return [...latest.values()].sort(
    (a, b) => b.count / b.limit - a.count / a.limit || a.subscriptionId.localeCompare(b.subscriptionId),
  );
}
