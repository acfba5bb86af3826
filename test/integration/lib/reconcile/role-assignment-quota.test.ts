import { describe, expect, it } from "vitest";
import {
  ACCOUNT_B,
  SUB_B,
  eligibleServer,
  syncGroupOn,
  tenant,
  useEngineHarness,
} from "../../support/reconcile-harness";
import type { SeedInput } from "../../../../dev/emulator/index";

/**
 * Azure's 4,000 role assignments per subscription, lowered in the seed: the
 * storage account's subscription (B) holds the caller's 2 and `existing` more,
 * out of `limit`. Three servers and the service identity need 5 grants there.
 */
const harness = useEngineHarness();
/** ROLE_ASSIGNMENT_LIMIT as a test deployment sets it to match the seed's lowered limit. */
const LIMIT_10 = { roleAssignmentLimit: 10 };
const SERVICE_IDENTITY = { type: "SystemAssigned" as const, principalId: "5e1f0000-0000-4000-8000-0000000000ee" };

function fullSubscriptionB(limit: number, existing: number, orphaned: number): SeedInput {
  const seed = tenant({
    servers: [eligibleServer(1), eligibleServer(2), eligibleServer(3)],
    syncGroups: [syncGroupOn("sg", ACCOUNT_B, "share1", [1, 2, 3])],
    identity: SERVICE_IDENTITY,
  });
  const sub = seed.subscriptions.find((s) => s.subscriptionId === SUB_B);
  if (!sub) throw new Error("tenant() changed");
  sub.roleAssignmentLimit = limit;
  sub.existingRoleAssignments = { count: existing, orphaned };
  return seed;
}

describe("role-assignment quota of the storage account's subscription", () => {
  it("counts it once, sends only the grants that fit, and fails the servers left over with the subscription's count and what can be reclaimed", async () => {
    await harness.load(fullSubscriptionB(10, 4, 2)); // 6 of 10: room for 4 of the 5 grants
    const report = await harness.run(false, LIMIT_10);
    expect(report.plan.filter((a) => a.kind === "grantRole")).toHaveLength(5);
    const calls = await harness.emulator.admin.calls();
    expect(calls.byOperation.RoleAssignments_Create?.writes).toBe(4); // the 5th is never sent
    expect(calls.byOperation.RoleAssignments_ListForScope?.reads ?? 0).toBeGreaterThanOrEqual(1);
    expect(report.roleAssignmentQuotas).toEqual([
      { subscriptionId: SUB_B, count: 10, limit: 10, orphaned: 2, productStale: 0 },
    ]); // 6 before, 4 made

    const failed = report.servers.filter((s) => s.state === "Failed");
    expect(failed.map((s) => s.name)).toEqual(["fs3.contoso.local"]);
    expect(failed[0]?.error?.code).toBe("RoleAssignmentLimitExceeded");
    expect(failed[0]?.remedy).toContain(`Subscription ${SUB_B} holds 6 of 10 role assignments`);
    expect(failed[0]?.remedy).toContain("2 of them are orphaned");
    // No server is switched without its grant; the service's grants fit, so useIdentity is set.
    expect(report.plan.some((a) => a.kind === "switchServer" && a.serverName === "fs3.contoso.local")).toBe(true);
    const fs3Switch = report.outcomes.find((o) => o.actionId.endsWith(report.servers[2]?.serverId ?? "?"));
    expect(fs3Switch?.status).toBe("skipped");
    expect(report.servers.filter((s) => s.state === "Switched")).toHaveLength(2);
    expect(report.service.useIdentity).toBe(true);
    expect(await harness.emulator.admin.violations()).toEqual([]);
  });

  it("sets no useIdentity when the service's own grants do not fit, and switches no server", async () => {
    await harness.load(fullSubscriptionB(10, 7, 0)); // 9 of 10: the service needs 2
    const report = await harness.run(false, LIMIT_10);
    expect(report.service.useIdentity).toBe(false);
    expect(report.servers.some((s) => s.state === "Switched")).toBe(false);
    const refused = report.outcomes.filter((o) => o.error?.code === "RoleAssignmentLimitExceeded");
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((o) => o.attempts === 0)).toBe(true);
    expect(await harness.emulator.admin.violations()).toEqual([]);
  });

  it("treats ARM's own RoleAssignmentLimitExceeded as terminal: sent once, never retried", async () => {
    await harness.load(fullSubscriptionB(10, 4, 0));
    // The engine believes in Azure's 4,000: it sends all 5; the emulator refuses the 5th.
    const report = await harness.run(false, { roleAssignmentLimit: 4000 });
    const refused = report.outcomes.filter((o) => o.error?.code === "RoleAssignmentLimitExceeded");
    expect(refused).toHaveLength(1);
    expect(refused[0]?.attempts).toBe(1);
    expect(refused[0]?.remedy).toContain("4,000 role assignments");
    expect((await harness.emulator.admin.calls()).byOperation.RoleAssignments_Create?.writes).toBe(5);
    expect(report.servers.filter((s) => s.state === "Failed").map((s) => s.error?.code)).toEqual([
      "RoleAssignmentLimitExceeded",
    ]);
  });

  it("reports the count after the run's grants, and reads no quota in a run that plans no grant", async () => {
    await harness.load(fullSubscriptionB(20, 4, 0));
    const first = await harness.run(false, { roleAssignmentLimit: 20 });
    expect(first.roleAssignmentQuotas).toEqual([
      { subscriptionId: SUB_B, count: 11, limit: 20, orphaned: 0, productStale: 0 },
    ]);
    await harness.emulator.admin.resetCalls();
    const again = await harness.run(false, { roleAssignmentLimit: 20 });
    expect(again.plan).toEqual([]);
    expect(again.roleAssignmentQuotas).toBeUndefined();
  });
});
