import { describe, expect, it } from "vitest";
import { MachineDirectory, reconcileService } from "../../../../src/lib/reconcile";
import {
  ACCOUNT_A,
  SERVICE_ID,
  SETTINGS,
  SUB_A,
  SUB_B,
  principalOf,
  serverIdOf,
  serverResourceId,
  syncGroupOn,
  tenant,
  useEngineHarness,
} from "../../support/reconcile-harness";

/**
 * Identity drift found from observed state: a switched server whose machine
 * has a new system-assigned principal is repaired by any non-dry full run,
 * with no event and no hint, exactly as the event path repairs it.
 */
const harness = useEngineHarness();
const USER_ASSIGNED = "0a0a0a0a-0000-4000-8000-00000000beef";

/** Server 1 switched and Active on principalOf(1) (machine fs1), then the machine's identity is reset with no event. */
async function switchedThenReset(
  machine: { name?: string; hostName?: string; userAssignedPrincipalIds?: string[] } = {},
): Promise<string> {
  const id = `/subscriptions/${SUB_A}/resourceGroups/rg-sync/providers/Microsoft.HybridCompute/machines/${machine.name ?? "fs1"}`;
  await harness.load(
    tenant({
      // Tied to its machine explicitly: the agent runs there whatever the names say.
      servers: [{ serverId: serverIdOf(1), serverName: "fs1.contoso.local", agentVersion: "21.2.0.0", machineId: id }],
      syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
      arcMachines: [
        {
          name: machine.name ?? "fs1",
          hostName: machine.hostName ?? "fs1.contoso.local",
          principalId: principalOf(1),
          ...machine,
        },
      ],
    }),
  );
  await harness.run();
  await harness.emulator.admin.advanceTime(60_000);
  expect(await harness.emulator.admin.getServer(serverResourceId(1))).toMatchObject({
    activeAuthType: "ManagedIdentity",
    applicationId: principalOf(1),
  });
  const renewed = (await harness.emulator.admin.setMachineIdentity(id, "reset")) ?? "";
  expect(renewed).toBeTruthy();
  return renewed;
}

describe("identity drift found from state", () => {
  it("a full run with no hint grants the machine's new principal and repairs the server, as the event path does", async () => {
    const renewed = await switchedThenReset();
    const report = await harness.run();
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole", "repairServer"]);
    expect(report.servers[0]).toMatchObject({ state: "Switched", principalId: renewed });
    expect(report.servers[0]?.reason).toContain("Repaired");
    await harness.emulator.admin.advanceTime(60_000);
    expect(await harness.emulator.admin.getServer(serverResourceId(1))).toMatchObject({
      applicationId: renewed,
      activeAuthType: "ManagedIdentity",
    });
    // Converged: the next run lists the machines again and writes nothing.
    await harness.emulator.admin.resetCalls();
    expect((await harness.run()).plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
  });

  it("a dry run neither lists machines nor plans a repair", async () => {
    await switchedThenReset();
    await harness.emulator.admin.resetCalls();
    const report = await harness.run(true);
    expect(report.plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).byOperation.Machines_ListBySubscription?.reads ?? 0).toBe(0);
  });

  it("costs one Arc list and one VM list per scope in a converged run, shared by every service of the run", async () => {
    await switchedThenReset();
    await harness.run(); // repaired
    await harness.emulator.admin.advanceTime(60_000);
    const machines = new MachineDirectory(harness.arm, [
      `/subscriptions/${SUB_A}`,
      `/subscriptions/${SUB_A}/resourceGroups/rg-sync`,
    ]);
    const baseline = await reconcileService(harness.arm, SERVICE_ID, { dryRun: true, settings: SETTINGS });
    await harness.emulator.admin.resetCalls();
    const first = await reconcileService(harness.arm, SERVICE_ID, { dryRun: false, settings: SETTINGS, machines });
    const second = await reconcileService(harness.arm, SERVICE_ID, { dryRun: false, settings: SETTINGS, machines });
    expect(first.plan).toEqual([]);
    expect(first.armCalls.reads - baseline.armCalls.reads).toBe(2);
    expect(second.armCalls.reads - baseline.armCalls.reads).toBe(0);
  });

  it("never takes a user-assigned identity of the machine for the server's", async () => {
    // The server was bound to what is now a user-assigned identity of the machine: still drift, repaired onto the
    // system-assigned one.
    const renewed = await switchedThenReset({ userAssignedPrincipalIds: [USER_ASSIGNED] });
    const report = await harness.run();
    expect(report.plan.find((a) => a.kind === "repairServer")).toMatchObject({ principalId: renewed });
    expect(JSON.stringify(report.plan)).not.toContain(USER_ASSIGNED);
  });

  it("ties the server to the machine the app recorded with its principal when host names do not match", async () => {
    const renewed = await switchedThenReset({ name: "arc-0042", hostName: "node42.contoso.local" });
    const noMatch = await harness.run();
    expect(noMatch.plan).toEqual([]);
    const recordedMachineOf = async (principal: string) =>
      principal === principalOf(1)
        ? `/subscriptions/${SUB_A}/resourceGroups/rg-sync/providers/Microsoft.HybridCompute/machines/arc-0042`
        : undefined;
    const report = await reconcileService(harness.arm, SERVICE_ID, {
      dryRun: false,
      settings: SETTINGS,
      recordedMachineOf,
    });
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole", "repairServer"]);
    expect(report.servers[0]).toMatchObject({ state: "Switched", principalId: renewed });
  });

  it("looks only within the machine scopes: a machine outside them is not compared", async () => {
    await switchedThenReset();
    await harness.emulator.admin.resetCalls();
    const report = await harness.run(false, { machineScopes: [`/subscriptions/${SUB_B}`] });
    expect(report.plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
  });
});

describe("the replaced identity's grants after a repair", () => {
  const oldGrants = () =>
    [...harness.emulator.core.state.roleAssignments.values()].filter(
      (a) => a.principalId.toLowerCase() === principalOf(1) && /fileshares/i.test(a.scope),
    );

  it("are removed after the repair when the deployment may delete (PRUNE_STALE_GRANTS)", async () => {
    await switchedThenReset();
    expect(oldGrants()).toHaveLength(1);
    const report = await harness.run(false, { pruneStaleGrants: true });
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole", "repairServer", "deleteRoleAssignment"]);
    expect(report.plan[2]?.dependsOn).toEqual([report.plan[1]?.id]);
    expect(report.outcomes.every((o) => o.status === "succeeded")).toBe(true);
    expect(oldGrants()).toEqual([]);
  });

  it("are reported with their count as reclaimable quota when deletes are not allowed", async () => {
    await switchedThenReset();
    const report = await harness.run();
    expect(report.plan.some((a) => a.kind === "deleteRoleAssignment")).toBe(false);
    expect(report.warnings.join(" ")).toMatch(
      new RegExp(`1 grant\\(s\\) of its replaced identity ${principalOf(1)} remain, reclaimable role-assignment quota`),
    );
    expect(oldGrants()).toHaveLength(1);
  });
});
