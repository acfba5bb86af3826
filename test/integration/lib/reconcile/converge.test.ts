import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { DEFAULT_SEED_PATH, type SeedInput } from "../../../../dev/emulator/index";
import { reconcileService } from "../../../../src/lib/reconcile";
import { ROLE, listRoleAssignmentsForPrincipal } from "../../../../src/lib/azure/role-assignments";
import { getStorageSyncService } from "../../../../src/lib/azure/storage-sync";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  SERVICE_ID,
  SETTINGS,
  SUB_B,
  eligibleServer,
  principalOf,
  serverResourceId,
  shareOf,
  useEngineHarness,
  syncGroupOn,
  tenant,
} from "../../support/reconcile-harness";

const harness = useEngineHarness();

const freshTenant = () =>
  tenant({
    servers: [eligibleServer(1), eligibleServer(2)],
    syncGroups: [syncGroupOn("sg1", ACCOUNT_A, "share1", [1, 2]), syncGroupOn("sg2", ACCOUNT_B, "share1", [2])],
  });

describe("reconcile against the emulator", () => {
  it.each(["sync", "async"] as const)(
    "brings a fresh service over (long-running writes answered %s)",
    async (lroMode) => {
      await harness.load(freshTenant(), { lroMode });
      const report = await harness.run();

      expect(report.outcomes.map((o) => o.status).every((s) => s === "succeeded")).toBe(true);
      expect(report.converged).toBe(true);
      // enable + 2×(account, share) for the service + 3 server share grants + useIdentity + 2 switches
      expect(report.plan).toHaveLength(1 + 4 + 3 + 1 + 2);
      const calls = await harness.emulator.admin.calls();
      expect(report.armCalls).toEqual({ reads: calls.reads, writes: calls.writes });
      expect(calls.writes).toBe(report.plan.length);
      const polls = calls.byOperation["OperationStatus_Get"]?.reads ?? 0;
      if (lroMode === "async") expect(polls).toBeGreaterThan(0);
      else expect(polls).toBe(0);

      const service = await getStorageSyncService(harness.arm, SERVICE_ID);
      expect(service.identity.type).toBe("SystemAssigned");
      expect(service.useIdentity).toBe(true);
      expect(report.service).toMatchObject({
        identityType: "SystemAssigned",
        principalId: service.identity.principalId,
        useIdentity: true,
      });
      const principal = service.identity.principalId as string;
      const onB = await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_B, principal);
      expect(onB.map((a) => [a.scope.toLowerCase(), a.roleDefinitionGuid]).sort()).toEqual(
        [
          [ACCOUNT_B.toLowerCase(), ROLE.storageAccountContributor],
          [shareOf(ACCOUNT_B, "share1").toLowerCase(), ROLE.storageFileDataPrivilegedContributor],
        ].sort(),
      );
      expect(report.servers.map((v) => [v.name, v.state, v.switchedThisRun])).toEqual([
        ["fs1.contoso.local", "Switched", true],
        ["fs2.contoso.local", "Switched", true],
      ]);

      // Order on the wire: each switch after all of that server's grants, useIdentity after all of the service's.
      const log = (await harness.emulator.admin.requests()).filter((r) => r.status < 300);
      const principalOfBody = (r: (typeof log)[number]) =>
        (r.body as { properties?: { principalId?: string } } | undefined)?.properties?.principalId;
      const lastGrantFor = (p: string) =>
        log.reduce(
          (last, r, i) => (r.operationId === "RoleAssignments_Create" && principalOfBody(r) === p ? i : last),
          -1,
        );
      for (const n of [1, 2]) {
        const firstSwitch = log.findIndex(
          (r) =>
            r.operationId === "RegisteredServers_Update" &&
            r.path.endsWith(serverResourceId(n).split("/").pop() as string),
        );
        expect(lastGrantFor(principalOf(n))).toBeGreaterThanOrEqual(0);
        expect(firstSwitch).toBeGreaterThan(lastGrantFor(principalOf(n)));
      }
      const serviceUpdates = log.filter((r) => r.operationId === "StorageSyncServices_Update").map((r) => r.body);
      expect(serviceUpdates).toEqual([
        { identity: { type: "SystemAssigned" }, properties: { useIdentity: false } },
        { properties: { useIdentity: true } },
      ]);
      const setUseIdentity = log.findIndex(
        (r) =>
          r.operationId === "StorageSyncServices_Update" && (r.body as { identity?: unknown }).identity === undefined,
      );
      expect(setUseIdentity).toBeGreaterThan(lastGrantFor(principal));

      // The agents pick the switch up: every grant a server needs exists, so both become active.
      await harness.emulator.admin.advanceTime(60_000);
      for (const n of [1, 2]) {
        const raw = await harness.emulator.admin.getServer(serverResourceId(n));
        expect(raw).toMatchObject({ activeAuthType: "ManagedIdentity", applicationId: principalOf(n) });
        expect(raw.agentError).toBeUndefined();
      }
    },
  );

  it("makes zero writes on a second run, and the dry run prints exactly the plan the real run executes", async () => {
    await harness.load(freshTenant());
    const dry = await harness.run(true);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
    const real = await harness.run();
    expect(real.plan.map((a) => a.description)).toEqual(dry.plan.map((a) => a.description));

    await harness.emulator.admin.resetCalls();
    const second = await harness.run();
    const calls = await harness.emulator.admin.calls();
    expect(calls.writes).toBe(0);
    expect(second.plan).toEqual([]);
    expect(second.converged).toBe(true);
    expect(second.armCalls).toEqual({ reads: calls.reads, writes: 0 });
    expect(second.servers.map((v) => v.state)).toEqual(["Switched", "Switched"]);

    await harness.emulator.admin.advanceTime(60_000);
    await harness.emulator.admin.resetCalls();
    const third = await harness.run();
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
    expect(third.servers.map((v) => v.state)).toEqual(["Active", "Active"]);
  });

  it("asks confirm with the plan before writing: a refusal writes nothing, an approval executes exactly that plan", async () => {
    await harness.load(freshTenant());
    const refused = await reconcileService(harness.arm, SERVICE_ID, {
      dryRun: false,
      settings: SETTINGS,
      confirm: () => false,
    });
    expect(refused.dryRun).toBe(true);
    expect(refused.outcomes.every((o) => o.status === "skipped" && o.skippedBecause === "not confirmed")).toBe(true);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);

    let shown: string[] = [];
    const approved = await reconcileService(harness.arm, SERVICE_ID, {
      dryRun: false,
      settings: SETTINGS,
      confirm: (plan) => {
        shown = plan.actions.map((a) => a.id);
        return Promise.resolve(true);
      },
    });
    expect(approved.dryRun).toBe(false);
    expect(approved.outcomes.map((o) => o.actionId)).toEqual(shown);
    expect(approved.converged).toBe(true);
  });

  it("keeps a user-assigned identity and assigns in the storage account's own subscription", async () => {
    const uai = `/subscriptions/${SUB_B}/resourceGroups/rg-data-b/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-sync`;
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg", ACCOUNT_B, "share2", [1])],
        identity: { type: "UserAssigned", userAssignedIdentities: [uai] },
      }),
    );
    const report = await harness.run();
    expect(report.converged).toBe(true);
    const service = await getStorageSyncService(harness.arm, SERVICE_ID);
    expect(service.identity.type).toBe("SystemAssigned,UserAssigned");
    expect(service.identity.userAssignedIdentityIds.map((id) => id.toLowerCase())).toEqual([uai.toLowerCase()]);

    const assignments = [
      ...(await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_B, service.identity.principalId as string)),
      ...(await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_B, principalOf(1))),
    ];
    expect(assignments).toHaveLength(3);
    for (const a of assignments) expect(a.scope.toLowerCase().startsWith(`/subscriptions/${SUB_B}/`)).toBe(true);
    const authz = harness.arm.authorization(SUB_B);
    for (const a of assignments) {
      const full = await authz.roleAssignments.getById(a.id);
      expect(
        full.roleDefinitionId
          ?.toLowerCase()
          .startsWith(`/subscriptions/${SUB_B}/providers/microsoft.authorization/roledefinitions/`),
      ).toBe(true);
      expect(full.principalType).toBe("ServicePrincipal");
    }
  });

  it("counts ARM calls per run even when runs share one connection concurrently", async () => {
    const demo = JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
    const services = [
      "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod",
      "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-branch/providers/Microsoft.StorageSync/storageSyncServices/sss-branch",
    ];
    const runOne = (id: string) => reconcileService(harness.arm, id, { dryRun: false, settings: SETTINGS });
    const solo = [];
    for (const id of services) {
      await harness.load(demo, { lroMode: "sync" });
      await harness.emulator.admin.advanceTime(60_000);
      await harness.emulator.admin.resetCalls();
      solo.push((await runOne(id)).armCalls);
    }
    await harness.load(demo, { lroMode: "sync" });
    await harness.emulator.admin.advanceTime(60_000);
    await harness.emulator.admin.resetCalls();
    const together = await Promise.all(services.map(runOne));
    expect(together.map((r) => r.armCalls)).toEqual(solo);
    const total = await harness.emulator.admin.calls();
    expect(together[0]!.armCalls.reads + together[1]!.armCalls.reads).toBe(total.reads);
    expect(together[0]!.armCalls.writes + together[1]!.armCalls.writes).toBe(total.writes);
    expect(total.writes).toBeGreaterThan(0);
  });
});
