import { describe, expect, it } from "vitest";
import { ROLE, roleAssignmentName } from "../../../../src/lib/azure/role-assignments";
import { getStorageSyncService } from "../../../../src/lib/azure/storage-sync";
import { ReconcileError, isTransientArmError, reconcileService } from "../../../../src/lib/reconcile";
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

const twoServers = () =>
  tenant({
    servers: [eligibleServer(1), eligibleServer(2)],
    syncGroups: [syncGroupOn("sg1", ACCOUNT_A, "share1", [1]), syncGroupOn("sg2", ACCOUNT_A, "share2", [2])],
  });

describe("reconcile: ARM faults", () => {
  it("treats 409 RoleAssignmentExists (another writer won the race) as already present, and still switches the server", async () => {
    await harness.load(twoServers());
    const name = roleAssignmentName(
      shareOf(ACCOUNT_A, "share1"),
      principalOf(1),
      ROLE.storageFileDataPrivilegedContributor,
    );
    await harness.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create", pathContains: name },
      effect: { kind: "status", status: 409, code: "RoleAssignmentExists" },
      times: 1,
    });
    const report = await harness.run();
    const grant = report.plan.find(
      (a) => a.kind === "grantRole" && a.principal.kind === "server" && a.principal.principalId === principalOf(1),
    );
    expect(report.outcomes.find((o) => o.actionId === grant?.id)).toMatchObject({ status: "alreadyPresent" });
    expect(report.converged).toBe(true);
    expect(report.servers.map((v) => v.state)).toEqual(["Switched", "Switched"]);
  });

  it("retries 400 PrincipalNotFound with back-off until the identity has replicated", async () => {
    await harness.load(twoServers());
    await harness.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create" },
      effect: { kind: "status", status: 400, code: "PrincipalNotFound" },
      times: 3,
    });
    const progress: string[] = [];
    const report = await reconcileService(harness.arm, SERVICE_ID, {
      dryRun: false,
      settings: SETTINGS,
      onProgress: (m) => progress.push(m),
    });
    expect(report.converged).toBe(true);
    expect(report.outcomes.reduce((n, o) => n + Math.max(0, o.attempts - 1), 0)).toBe(3);
    expect(progress.filter((m) => m.includes("not replicated yet"))).toHaveLength(3);
  });

  it("gives up on PrincipalNotFound after the configured retries, reporting code, request id and remedy", async () => {
    await harness.load(twoServers());
    const name = roleAssignmentName(
      shareOf(ACCOUNT_A, "share2"),
      principalOf(2),
      ROLE.storageFileDataPrivilegedContributor,
    );
    await harness.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create", pathContains: name },
      effect: { kind: "status", status: 400, code: "PrincipalNotFound" },
    });
    const report = await harness.run(false, { principalNotFoundRetries: 2 });
    const failed = report.outcomes.filter((o) => o.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempts: 3, error: { code: "PrincipalNotFound", statusCode: 400 } });
    expect(failed[0]?.error?.requestId).toBeTruthy();
    expect(failed[0]?.remedy).toContain("replicated");
    expect(report.servers.map((v) => v.state)).toEqual(["Switched", "Failed"]);
  });

  it("rides out a 429 storm through the SDK's retry policy, counting every attempt", async () => {
    await harness.load(twoServers());
    await harness.emulator.admin.addFault({
      match: {},
      effect: { kind: "status", status: 429, code: "TooManyRequests", retryAfterSeconds: 0 },
      times: 4,
    });
    await harness.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create" },
      effect: { kind: "status", status: 429, code: "TooManyRequests", retryAfterSeconds: 0 },
      times: 3,
    });
    const report = await harness.run();
    expect(report.converged).toBe(true);
    const calls = await harness.emulator.admin.calls();
    expect(report.armCalls).toEqual({ reads: calls.reads, writes: calls.writes });
    expect(calls.writes).toBeGreaterThanOrEqual(report.plan.length + 3);
    await harness.emulator.admin.clearFaults();
    await harness.emulator.admin.resetCalls();
    expect((await harness.run()).plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
  });

  it("reports 403 AuthorizationFailed for the automation's own identity clearly and switches nothing", async () => {
    await harness.load(tenant({ ...twoServersParts(), callerRoles: ["Reader"] }), { enforceRbac: true });
    const report = await harness.run();
    expect(report.converged).toBe(false);
    const enable = report.outcomes.find((o) => o.actionId === "enable-service-identity");
    expect(enable).toMatchObject({ status: "failed", error: { code: "AuthorizationFailed", statusCode: 403 } });
    expect(enable?.remedy).toContain("Azure File Sync Administrator");
    expect(report.servers.every((v) => v.state === "Failed" && !v.switchedThisRun)).toBe(true);
    expect((await harness.emulator.admin.calls()).byOperation["RegisteredServers_Update"]).toBeUndefined();
    for (const n of [1, 2]) expect((await harness.emulator.admin.getServer(serverResourceId(n))).identity).toBe(false);
  });

  it("a storage account in a subscription the automation cannot read fails only that account's grants; the other servers get theirs, and wait for useIdentity", async () => {
    const seed = tenant({
      servers: [eligibleServer(1), eligibleServer(2)],
      syncGroups: [syncGroupOn("sg-a", ACCOUNT_A, "share1", [1]), syncGroupOn("sg-b", ACCOUNT_B, "share1", [2])],
    });
    // The automation's roles on subscription A only.
    seed.roleAssignments = (seed.roleAssignments ?? []).filter((a) => !a.scope.includes(SUB_B));
    await harness.load(seed, { enforceRbac: true });
    const report = await harness.run();
    expect(report.servers.map((v) => v.state)).toEqual(["Failed", "Failed"]);
    expect(report.servers[0]?.reason).toContain("set-use-identity skipped");
    expect(report.servers[1]).toMatchObject({ error: { code: "AuthorizationFailed", statusCode: 403 } });
    expect(report.servers[1]?.remedy).toContain("Azure File Sync Administrator");
    expect(report.outcomes.find((o) => o.actionId === "set-use-identity")).toMatchObject({ status: "skipped" });
    expect(report.converged).toBe(false);
  });

  it("throws a terminal ReconcileError carrying the ARM code when it cannot even read the service", async () => {
    await harness.load(tenant({ ...twoServersParts(), callerRoles: [] }), { enforceRbac: true });
    const error = await harness.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReconcileError);
    expect((error as ReconcileError).arm).toMatchObject({ code: "AuthorizationFailed", statusCode: 403 });
    expect(isTransientArmError(error)).toBe(false);

    const invalid = await reconcileService(harness.arm, "/subscriptions/x/resourceGroups/rg", {
      dryRun: true,
      settings: SETTINGS,
    }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ReconcileError);
    expect((invalid as ReconcileError).arm).toMatchObject({ code: "InvalidStorageSyncServiceId", statusCode: 400 });
    expect((invalid as ReconcileError).message).toContain("is not a Storage Sync Service id");
    expect((invalid as ReconcileError).transient).toBe(false);

    await harness.load(twoServers());
    const missing = await reconcileService(harness.arm, `${SERVICE_ID}-gone`, {
      dryRun: true,
      settings: SETTINGS,
    }).catch((e: unknown) => e);
    expect((missing as ReconcileError).arm.statusCode).toBe(404);
    expect((missing as ReconcileError).transient).toBe(false);
  });

  it("lets the other servers proceed when one server's share grant fails", async () => {
    await harness.load(twoServers());
    const name = roleAssignmentName(
      shareOf(ACCOUNT_A, "share1"),
      principalOf(1),
      ROLE.storageFileDataPrivilegedContributor,
    );
    await harness.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create", pathContains: name },
      effect: { kind: "status", status: 403, code: "AuthorizationFailed" },
    });
    const report = await harness.run();
    expect(report.servers.map((v) => [v.state, v.switchedThisRun])).toEqual([
      ["Failed", false],
      ["Switched", true],
    ]);
    expect(report.servers[0]).toMatchObject({ error: { code: "AuthorizationFailed" } });
    expect(report.servers[0]?.remedy).toBeTruthy();
    expect(report.outcomes.find((o) => o.actionId === "switch:" + report.servers[0]?.serverId)).toMatchObject({
      status: "skipped",
    });
    const service = await getStorageSyncService(harness.arm, SERVICE_ID);
    expect(service.useIdentity).toBe(true);
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).identity).toBe(false);

    // Once the cause is gone, a re-run finishes the job and only that.
    await harness.emulator.admin.clearFaults();
    await harness.emulator.admin.resetCalls();
    const rerun = await harness.run();
    expect(rerun.plan.map((a) => a.kind)).toEqual(["grantRole", "switchServer"]);
    expect(rerun.converged).toBe(true);
  });
});

function twoServersParts() {
  return {
    servers: [eligibleServer(1), eligibleServer(2)],
    syncGroups: [syncGroupOn("sg1", ACCOUNT_A, "share1", [1]), syncGroupOn("sg2", ACCOUNT_A, "share2", [2])],
  };
}
