import {
  type ArmConnection,
  toArmErrorInfo,
  armUrl,
  listArmJson,
  parseResourceId,
  listStorageSyncServiceIds,
} from "../../lib/azure";
import { prerequisiteFindings, type ServerState } from "../../lib/reconcile";
import { check, type Check } from "./check";
import type { Estate } from "./estate";

/**
 * Azure's hard limits, stated by Microsoft:
 * - 4,000 role assignments per subscription, counting assignments at the
 *   subscription, its resource groups and resources, conditional ones and those
 *   of deleted principals included (https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits);
 * - 15 Storage Sync Services per subscription
 *   (https://learn.microsoft.com/azure/storage/file-sync/file-sync-scale-targets).
 * "Near" is within 10 % of the limit.
 */
export const ROLE_ASSIGNMENTS_PER_SUBSCRIPTION = 4000;
export const STORAGE_SYNC_SERVICES_PER_SUBSCRIPTION = 15;
const NEAR = 0.9;

export function limitStatus(used: number, limit: number): "ok" | "warning" | "problem" {
  if (used > limit) return "problem";
  return used >= Math.ceil(limit * NEAR) ? "warning" : "ok";
}

/** Assignments that count against a subscription's limit: scoped at or below it (not management groups or the root). */
export function countedAssignments(items: unknown[], subscriptionId: string): number {
  const prefix = `/subscriptions/${subscriptionId}`.toLowerCase();
  return items.filter((item) => {
    const scope = (item as { properties?: { scope?: unknown } }).properties?.scope;
    if (typeof scope !== "string") return false;
    const s = scope.toLowerCase();
    return s === prefix || s.startsWith(prefix + "/");
  }).length;
}

async function checkAssignmentQuota(arm: ArmConnection, estate: Estate): Promise<Check[]> {
  const pendingBySub = new Map<string, number>();
  const subs = new Map<string, string>();
  for (const account of estate.storageAccountIds) {
    const sub = parseResourceId(account).subscriptionId;
    subs.set(sub.toLowerCase(), sub);
  }
  for (const s of estate.services)
    for (const a of s.plan.actions)
      if (a.kind === "grantRole") {
        const sub = parseResourceId(a.scope).subscriptionId.toLowerCase();
        pendingBySub.set(sub, (pendingBySub.get(sub) ?? 0) + 1);
      }
  const checks: Check[] = [];
  for (const sub of subs.values()) {
    try {
      const items = await listArmJson(
        arm.raw,
        armUrl(arm.endpoint, `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments`, "2022-04-01"),
      );
      const used = countedAssignments(items, sub);
      const pending = pendingBySub.get(sub.toLowerCase()) ?? 0;
      const status = limitStatus(used + pending, ROLE_ASSIGNMENTS_PER_SUBSCRIPTION);
      checks.push(
        check(
          "limits",
          status,
          `storage subscription ${sub}: ${used} of ${ROLE_ASSIGNMENTS_PER_SUBSCRIPTION} role assignments used, ${pending} more planned`,
          {
            ...(status === "ok"
              ? {}
              : {
                  detail: "grants fail with RoleAssignmentLimitExceeded once the subscription holds 4,000",
                  remedy:
                    "remove redundant or orphaned assignments (principal type Unknown), assign at a broader scope, or use another subscription",
                }),
          },
        ),
      );
    } catch (error) {
      const info = toArmErrorInfo(error);
      checks.push(
        check("limits", "warning", `cannot count role assignments in subscription ${sub}`, {
          detail: `${info.code}: ${info.message}`,
          remedy: `assign Reader on /subscriptions/${sub} to the caller`,
          evidence: { requestId: info.requestId },
        }),
      );
    }
  }
  return checks;
}

async function checkServiceQuota(arm: ArmConnection, estate: Estate): Promise<Check[]> {
  const subs = new Map(estate.services.map((s) => [s.subscriptionId.toLowerCase(), s.subscriptionId]));
  const checks: Check[] = [];
  for (const sub of subs.values()) {
    const count = (await listStorageSyncServiceIds(arm, `/subscriptions/${sub}`)).length;
    const status = limitStatus(count, STORAGE_SYNC_SERVICES_PER_SUBSCRIPTION);
    checks.push(
      check(
        "limits",
        status === "problem" ? "warning" : status,
        `subscription ${sub}: ${count} of ${STORAGE_SYNC_SERVICES_PER_SUBSCRIPTION} Storage Sync Services`,
        {
          ...(status === "ok" ? {} : { remedy: "new services go into another subscription" }),
        },
      ),
    );
  }
  return checks;
}

interface AgentRow {
  name: string;
  version?: string;
  status: string;
  expires?: string;
}

/**
 * Agents by `agentVersionStatus` and `agentVersionExpirationDate` (storagesync 2022-09-01): an expired agent cannot
 * connect, so it never switches.
 */
function checkAgents(estate: Estate): Check[] {
  const rows: AgentRow[] = estate.services.flatMap((s) =>
    s.rawServers.map((raw) => {
      const p = ((raw as { properties?: unknown }).properties ?? {}) as Record<string, unknown>;
      const text = (k: string): string | undefined =>
        typeof p[k] === "string" && p[k] !== "" ? (p[k] as string) : undefined;
      return {
        name: text("friendlyName") ?? text("serverName") ?? String((raw as { name?: unknown }).name ?? "?"),
        version: text("agentVersion"),
        status: text("agentVersionStatus") ?? "Unknown",
        expires: text("agentVersionExpirationDate"),
      };
    }),
  );
  const byStatus = new Map<string, AgentRow[]>();
  for (const r of rows) byStatus.set(r.status.toLowerCase(), [...(byStatus.get(r.status.toLowerCase()) ?? []), r]);
  const list = (rs: AgentRow[]) =>
    rs
      .map((r) => `${r.name} (${r.version ?? "?"}${r.expires ? `, expires ${r.expires.slice(0, 10)}` : ""})`)
      .join(", ");
  const checks: Check[] = [];
  const counts = [...byStatus.entries()].map(([k, v]) => `${v.length} ${v[0]?.status ?? k}`).join(", ");
  checks.push(check("limits", "ok", `agents: ${rows.length === 0 ? "no registered servers" : counts}`));
  for (const status of ["expired", "blocked"]) {
    const rs = byStatus.get(status);
    if (rs)
      checks.push(
        check("limits", "problem", `${rs.length} agent(s) ${rs[0]?.status}: ${list(rs)}`, {
          detail:
            "an expired or blocked agent cannot connect to the service: it neither reports an identity nor picks up a switch",
          remedy: "update the Azure File Sync agent on these servers (Microsoft Update, or the agent's installer)",
        }),
      );
  }
  const near = byStatus.get("nearexpiry");
  if (near)
    checks.push(
      check("limits", "warning", `${near.length} agent(s) near expiry: ${list(near)}`, {
        remedy: "update the Azure File Sync agent before the expiry date",
      }),
    );
  return checks;
}

function checkStoragePrerequisites(estate: Estate): Check[] {
  const findings = estate.services.flatMap((s) => prerequisiteFindings(s.snapshot));
  const seen = new Set<string>();
  const checks: Check[] = [];
  for (const f of findings) {
    const key = `${f.storageAccountId.toLowerCase()}|${f.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    checks.push(check("limits", "warning", f.message, { remedy: f.remedy }));
  }
  if (checks.length === 0)
    checks.push(
      check("limits", "ok", `storage prerequisites met on ${estate.storageAccountIds.length} storage account(s)`),
    );
  return checks;
}

/** Servers by the state `plan` gives them; those it cannot bring over are warnings with plan's own reason. */
function checkServerStates(estate: Estate): Check[] {
  const counts = new Map<ServerState, number>();
  const checks: Check[] = [];
  for (const s of estate.services)
    for (const v of s.plan.servers) {
      counts.set(v.state, (counts.get(v.state) ?? 0) + 1);
      if (v.state === "AgentTooOld" || v.state === "Failed" || v.state === "NoIdentity")
        checks.push(
          check("limits", "warning", `server ${v.name}: ${v.state}`, {
            detail: v.reason,
            ...(v.remedy ? { remedy: v.remedy } : {}),
          }),
        );
    }
  const summary = [...counts.entries()].map(([state, n]) => `${n} ${state}`).join(", ");
  return [check("limits", "ok", `servers by state: ${summary || "none"}`), ...checks];
}

export async function checkLimits(arm: ArmConnection, estate: Estate): Promise<Check[]> {
  return [
    ...(await checkAssignmentQuota(arm, estate)),
    ...(await checkServiceQuota(arm, estate)),
    ...checkAgents(estate),
    ...checkStoragePrerequisites(estate),
    ...checkServerStates(estate),
  ];
}
