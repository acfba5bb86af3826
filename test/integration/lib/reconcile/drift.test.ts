import { describe, expect, it } from "vitest";
import { ROLE, roleAssignmentName } from "../../../../src/lib/azure/role-assignments";
import { getStorageSyncService } from "../../../../src/lib/azure/storage-sync";
import type { IdentityChange } from "../../../../src/lib/reconcile";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  SERVICE_ID,
  SUB_A,
  SUB_B,
  eligibleServer,
  principalOf,
  serverIdOf,
  serverResourceId,
  shareOf,
  syncGroupOn,
  tenant,
  useEngineHarness,
} from "../../support/reconcile-harness";

/**
 * Real estates drift (issue cases 1–5 and 7): identities that change under a
 * switched server, switches that do not take, writes that do not stick,
 * storage accounts and tenants that stand in the way, grants nobody needs.
 * Through the real SDK clients against the emulator.
 */
const harness = useEngineHarness();
const OTHER_TENANT = "0ddba11e-0000-4000-8000-00000000a0a0";
const machineOf = (n: number) =>
  `/subscriptions/${SUB_A}/resourceGroups/rg-sync/providers/Microsoft.HybridCompute/machines/fs${n}`;
const SHARE_A = shareOf(ACCOUNT_A, "share1");
const shareGrantId = (principal: string) =>
  `${SHARE_A}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(SHARE_A, principal, ROLE.storageFileDataPrivilegedContributor)}`;

/**
 * Server 1 on account A, switched and Active on principalOf(1); then its Arc identity is reset. Returns the new
 * principal.
 */
async function switchedThenReset(callerRoles?: string[]): Promise<string> {
  await harness.load(
    tenant({
      servers: [{ serverId: serverIdOf(1), serverName: "fs1.contoso.local", agentVersion: "21.2.0.0" }],
      syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
      arcMachines: [{ name: "fs1", hostName: "fs1.contoso.local", principalId: principalOf(1) }],
      ...(callerRoles ? { callerRoles } : {}),
    }),
    { enforceRbac: callerRoles !== undefined },
  );
  await harness.run();
  await harness.emulator.admin.advanceTime(60_000);
  const newPrincipal = (await harness.emulator.admin.setMachineIdentity(machineOf(1), "reset")) ?? "";
  expect(newPrincipal).toBeTruthy();
  return newPrincipal;
}

describe("case 1: a switched server whose machine identity changed", () => {
  it("is found by host name when the app knows no previous principal, granted, repaired and read back", async () => {
    const newPrincipal = await switchedThenReset();
    const change: IdentityChange = { machineId: machineOf(1), principalId: newPrincipal, hostNames: ["FS1"] };
    const report = await harness.run(false, {}, { identityChanges: [change] });
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole", "repairServer"]);
    expect(report.servers[0]).toMatchObject({ state: "Switched", principalId: newPrincipal });
    expect(report.servers[0]?.reason).toContain("Repaired");
    await harness.emulator.admin.advanceTime(60_000);
    expect(await harness.emulator.admin.getServer(serverResourceId(1))).toMatchObject({
      applicationId: newPrincipal,
      activeAuthType: "ManagedIdentity",
    });
  });

  it("writes nothing when the host name matches more than one switched server, and says so on each", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1), eligibleServer(2, { serverName: "fs1.branch.contoso.local" })],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1, 2])],
      }),
    );
    expect((await harness.run()).servers.map((v) => v.state)).toEqual(["Switched", "Switched"]);
    await harness.emulator.admin.resetCalls();
    const change: IdentityChange = {
      machineId: machineOf(1),
      principalId: "bbbbbbbb-0000-4000-8000-000000000001",
      hostNames: ["fs1"],
    };
    const report = await harness.run(false, {}, { identityChanges: [change] });
    expect(report.plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
    for (const v of report.servers) {
      expect(v).toMatchObject({ state: "Failed", error: { code: "AmbiguousHostName" } });
      expect(v.reason).toContain("matches 2 switched servers");
      expect(v.remedy).toContain("Set-AzStorageSyncServer -Identity");
    }
  });

  it("grants and switches nothing for an identity of another tenant, and says why", async () => {
    const newPrincipal = await switchedThenReset();
    const change: IdentityChange = {
      machineId: machineOf(1),
      principalId: newPrincipal,
      previousPrincipalId: principalOf(1),
      hostNames: ["fs1"],
      tenantId: OTHER_TENANT,
    };
    await harness.emulator.admin.resetCalls();
    const report = await harness.run(false, {}, { identityChanges: [change] });
    expect(report.plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
    expect(report.servers[0]).toMatchObject({ state: "Failed", error: { code: "CrossTenantIdentity" } });
    expect(report.servers[0]?.remedy).toContain("another Microsoft Entra tenant");
  });
});

describe("case 2: a switch that does not take", () => {
  it("the overdue re-run sends the switch again, re-makes a missing grant and names the likely cause", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1, { agentIgnoresSwitch: true })],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
      }),
    );
    expect((await harness.run()).servers[0]?.state).toBe("Switched");
    await harness.emulator.admin.advanceTime(60_000);
    // Without the activation check's word, a switched server waits out its window: no write.
    await harness.emulator.admin.resetCalls();
    expect((await harness.run()).plan).toEqual([]);
    await harness.emulator.admin.deleteRoleAssignment(shareGrantId(principalOf(1)));

    const report = await harness.run(false, {}, { overdueServerIds: [serverIdOf(1)] });
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole", "switchServer"]);
    expect(report.plan[1]?.description).toContain("Send the switch again");
    expect(report.servers[0]).toMatchObject({ state: "Switched", switchedThisRun: true });
    expect(report.outcomes.every((o) => o.status === "succeeded")).toBe(true);

    await harness.emulator.admin.resetCalls();
    const again = await harness.run(true, {}, { overdueServerIds: [serverIdOf(1)] });
    expect(again.servers[0]?.reason).toContain("Still on Certificate after the activation window");
    expect(again.servers[0]?.reason).toContain("Arc machine Disconnected or Expired");
    expect(again.servers[0]?.remedy).toContain("azcmagent show");
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
  });
});

describe("case 2: the likely cause of a stalled switch", () => {
  it("names a Disconnected Arc machine (matched by host name, one list only in such runs) and says to run azcmagent show", async () => {
    await harness.load(
      tenant({
        servers: [
          {
            serverId: serverIdOf(1),
            serverName: "fs1.contoso.local",
            agentVersion: "21.2.0.0",
            latestApplicationId: principalOf(1),
          },
        ],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
        arcMachines: [{ name: "fs1", hostName: "fs1.contoso.local", principalId: principalOf(1) }],
      }),
    );
    expect((await harness.run()).servers[0]?.state).toBe("Switched");
    await harness.emulator.admin.setMachineStatus(machineOf(1), "Disconnected");
    await harness.emulator.admin.advanceTime(60_000);
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).activeAuthType).toBe("Certificate");

    await harness.emulator.admin.resetCalls();
    const report = await harness.run(false, {}, { overdueServerIds: [serverIdOf(1)] });
    expect(report.plan.map((a) => a.kind)).toEqual(["switchServer"]);
    expect(report.servers[0]?.reason).toMatch(
      /Likely cause: its Arc machine .*fs1 is Disconnected: run `azcmagent show` on the server/,
    );
    expect((await harness.emulator.admin.calls()).byOperation.Machines_ListBySubscription).toEqual({
      reads: 1,
      writes: 0,
    });
    // An ordinary run lists no machines.
    await harness.emulator.admin.resetCalls();
    await harness.run(true);
    expect((await harness.emulator.admin.calls()).byOperation.Machines_ListBySubscription).toBeUndefined();
  });
});

describe("case 3: order and proof", () => {
  it("a useIdentity write that does not stick fails with UseIdentityNotConfirmed, and no server is switched", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
        identity: { type: "SystemAssigned" },
      }),
    );
    await harness.emulator.admin.addFault({
      match: { method: "PATCH", pathContains: "/storageSyncServices/sss" },
      effect: { kind: "ignoreWrite" },
      times: 1,
    });
    const report = await harness.run();
    expect(report.plan.map((a) => a.kind)).toEqual([
      "grantRole",
      "grantRole",
      "grantRole",
      "setUseIdentity",
      "switchServer",
    ]);
    expect(report.outcomes.find((o) => o.actionId === "set-use-identity")).toMatchObject({
      status: "failed",
      error: { code: "UseIdentityNotConfirmed" },
    });
    expect(report.outcomes.find((o) => o.actionId === "set-use-identity")?.remedy).toContain("reads false");
    expect(report.outcomes.find((o) => o.actionId === `switch:${serverIdOf(1)}`)?.status).toBe("skipped");
    expect(report.converged).toBe(false);
    expect((await getStorageSyncService(harness.arm, SERVICE_ID)).useIdentity).toBe(false);
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).identity).toBe(false);
  });

  it("a switch that does not stick fails with ServerIdentityNotConfirmed instead of counting as Switched", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
        useIdentity: true,
        identity: { type: "SystemAssigned" },
      }),
    );
    await harness.emulator.admin.addFault({
      match: { method: "PATCH", pathContains: `/registeredServers/${serverIdOf(1)}` },
      effect: { kind: "ignoreWrite" },
      times: 1,
    });
    const report = await harness.run();
    expect(report.servers[0]).toMatchObject({
      state: "Failed",
      switchedThisRun: false,
      error: { code: "ServerIdentityNotConfirmed" },
    });
    expect(report.servers[0]?.remedy).toContain("identity: false");
    // The next run sends it again and it sticks.
    expect((await harness.run()).servers[0]).toMatchObject({ state: "Switched", switchedThisRun: true });
  });
});

describe("case 3: an identity reset between the run's read and its switch", () => {
  it("switches the server to the principal it granted (applicationId pinned), never to the new one nobody granted", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
        arcMachines: [{ name: "fs1", hostName: "fs1.contoso.local", principalId: principalOf(1) }],
        useIdentity: true,
        identity: { type: "SystemAssigned" },
      }),
    );
    // The server's share grant is slow; while it is in flight the machine gets a new identity and its agent reports it.
    const serverGrant = roleAssignmentName(SHARE_A, principalOf(1), ROLE.storageFileDataPrivilegedContributor);
    await harness.emulator.admin.addFault({
      match: { method: "PUT", pathContains: serverGrant },
      effect: { kind: "latency", ms: 1_500 },
      times: 1,
    });
    const running = harness.run();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const reset = (await harness.emulator.admin.setMachineIdentity(machineOf(1), "reset")) ?? "";
    await harness.emulator.admin.advanceTime(10 * 60_000);
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).latestApplicationId).toBe(reset);
    const report = await running;
    expect(report.servers[0]).toMatchObject({ state: "Switched", principalId: principalOf(1), switchedThisRun: true });
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).applicationId).toBe(principalOf(1));
    expect(await harness.emulator.admin.violations()).toEqual([]);
  });
});

describe("a server's grant deleted between the run's read and its switch", () => {
  it("is proven right before the switch and made again, so the server is never switched without it", async () => {
    const name = roleAssignmentName(SHARE_A, principalOf(1), ROLE.storageFileDataPrivilegedContributor);
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
        arcMachines: [{ name: "fs1", hostName: "fs1.contoso.local", principalId: principalOf(1) }],
        identity: { type: "SystemAssigned" },
        // The server's own share grant exists when the run reads; the service's grants do not.
        roleAssignments: [
          {
            scope: SHARE_A,
            role: ROLE.storageFileDataPrivilegedContributor,
            principalId: principalOf(1),
            principalType: "ServicePrincipal",
            name,
          },
        ],
      }),
    );
    // useIdentity (which the switch waits for) is slow; meanwhile someone deletes the server's grant.
    await harness.emulator.admin.addFault({
      match: { method: "PATCH", pathContains: "/storageSyncServices/" },
      effect: { kind: "latency", ms: 1_500 },
      times: 1,
    });
    const running = harness.run();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await harness.emulator.admin.deleteRoleAssignment(shareGrantId(principalOf(1)));
    const report = await running;
    expect(report.plan.filter((a) => a.kind === "grantRole" && a.description.includes(principalOf(1)))).toEqual([]);
    expect(report.servers[0]).toMatchObject({ state: "Switched", switchedThisRun: true });
    expect(await harness.emulator.admin.violations()).toEqual([]);
    const grants = (await harness.emulator.admin.state()).roleAssignments.filter(
      (a) => a.id.toLowerCase() === shareGrantId(principalOf(1)).toLowerCase(),
    );
    expect(grants).toHaveLength(1);
  });
});

describe("case 3: a repair that does not stick", () => {
  it("fails with ServerApplicationIdMismatch when the server reads back the old applicationId", async () => {
    const newPrincipal = await switchedThenReset();
    await harness.emulator.admin.addFault({
      match: { method: "PATCH", pathContains: `/registeredServers/${serverIdOf(1)}` },
      effect: { kind: "ignoreWrite" },
      times: 1,
    });
    const change: IdentityChange = {
      machineId: machineOf(1),
      principalId: newPrincipal,
      previousPrincipalId: principalOf(1),
      hostNames: ["fs1"],
    };
    const report = await harness.run(false, {}, { identityChanges: [change] });
    expect(report.outcomes.find((o) => o.actionId === `repair:${serverIdOf(1)}`)).toMatchObject({
      status: "failed",
      error: { code: "ServerApplicationIdMismatch" },
    });
    expect(report.servers[0]).toMatchObject({ state: "Failed", error: { code: "ServerApplicationIdMismatch" } });
    expect(report.servers[0]?.remedy).toContain("Set-AzStorageSyncServer -Identity -ApplicationId");
    expect(report.converged).toBe(false);
  });
});

describe("case 4: the storage account prerequisites", () => {
  it("warns on the service and the servers, with the remedy, reading each account once per run", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1), eligibleServer(2)],
        syncGroups: [syncGroupOn("sg-1", ACCOUNT_A, "share1", [1]), syncGroupOn("sg-2", ACCOUNT_A, "share2", [2])],
        accountA: { networkAcls: { defaultAction: "Deny", bypass: "None" }, allowSharedKeyAccess: false },
      }),
    );
    const report = await harness.run(true);
    expect((await harness.emulator.admin.calls()).byOperation.StorageAccounts_GetProperties).toEqual({
      reads: 1,
      writes: 0,
    });
    expect(report.warnings.find((w) => w.includes("0x80131500"))).toContain(
      "Allow Azure services on the trusted services list",
    );
    expect(report.warnings.find((w) => w.includes("allowSharedKeyAccess false"))).toContain("Allow shared key access");
    for (const v of report.servers) {
      expect(v.reason).toContain("Warning: Storage account");
      expect(v.remedy).toContain("Allow Azure services on the trusted services list");
      expect(v.remedy).toContain("Allow shared key access");
    }
  });
});

describe("case 5: a storage account in another tenant", () => {
  it("grants and switches nothing on it, sets no useIdentity, and the server says why; never a request into that tenant", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg-b", ACCOUNT_B, "share1", [1])],
        identity: { type: "SystemAssigned" },
        subscriptionBTenantId: OTHER_TENANT,
      }),
    );
    const report = await harness.run();
    expect(report.plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
    expect(report.servers[0]).toMatchObject({ state: "Failed", error: { code: "CrossTenantStorageAccount" } });
    expect(report.servers[0]?.remedy).toContain("another Microsoft Entra tenant");
    expect(report.warnings.some((w) => w.includes(OTHER_TENANT))).toBe(true);
    expect((await harness.emulator.admin.requests()).filter((r) => r.status === 401)).toEqual([]);
  });
});

describe("case 5 before the service has an identity", () => {
  it("takes the service's tenant from its subscription (one read, first run only) and still touches nothing in the other tenant", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1), eligibleServer(2)],
        syncGroups: [syncGroupOn("sg-b", ACCOUNT_B, "share1", [1]), syncGroupOn("sg-a", ACCOUNT_A, "share1", [2])],
        subscriptionBTenantId: OTHER_TENANT,
      }),
    );
    const report = await harness.run();
    expect(report.servers.map((v) => v.error?.code)).toEqual(["CrossTenantStorageAccount", undefined]);
    expect(report.plan.some((a) => a.kind === "grantRole" && a.scope.includes(SUB_B))).toBe(false);
    expect((await harness.emulator.admin.requests()).filter((r) => r.status === 401)).toEqual([]);
    expect((await harness.emulator.admin.calls()).byOperation.Subscriptions_Get).toEqual({ reads: 1, writes: 0 });
    await harness.emulator.admin.resetCalls();
    await harness.run(true);
    expect((await harness.emulator.admin.calls()).byOperation.Subscriptions_Get).toBeUndefined();
  });
});

describe("case 7: stale grants, opt-in", () => {
  const RBAC_ADMIN = ["Azure File Sync Administrator", "Role Based Access Control Administrator", "Reader"];

  it("with PRUNE_STALE_GRANTS, removes the old principal's grant this product made, first in the plan; off by default; nothing else", async () => {
    const newPrincipal = await switchedThenReset(RBAC_ADMIN);
    const change: IdentityChange = {
      machineId: machineOf(1),
      principalId: newPrincipal,
      previousPrincipalId: principalOf(1),
      hostNames: ["fs1"],
    };
    await harness.run(false, {}, { identityChanges: [change] });
    // Off by default: the old principal's grant stays.
    expect((await harness.run()).plan).toEqual([]);

    const dry = await harness.run(true, { pruneStaleGrants: true });
    expect(dry.plan.map((a) => a.kind)).toEqual(["deleteRoleAssignment"]);
    expect(dry.plan[0]).toMatchObject({
      principalId: principalOf(1),
      assignmentId: expect.stringMatching(
        new RegExp(roleAssignmentName(SHARE_A, principalOf(1), ROLE.storageFileDataPrivilegedContributor), "i"),
      ),
    });

    await harness.emulator.admin.resetCalls();
    const report = await harness.run(false, { pruneStaleGrants: true });
    expect(report.outcomes).toMatchObject([{ status: "succeeded" }]);
    expect((await harness.emulator.admin.calls()).byOperation.RoleAssignments_Delete).toEqual({ reads: 0, writes: 1 });
    await harness.emulator.admin.resetCalls();
    expect((await harness.run(false, { pruneStaleGrants: true })).plan).toEqual([]);
    const calls = await harness.emulator.admin.calls();
    expect(calls.writes).toBe(0);
    // One list of the account serves both the grants' check and pruning; one GET for its prerequisites.
    expect(calls.byOperation.RoleAssignments_ListForScope).toEqual({ reads: 1, writes: 0 });
    expect(calls.byOperation.StorageAccounts_GetProperties).toEqual({ reads: 1, writes: 0 });
  });

  it("under Azure File Sync Administrator (no roleAssignments/delete) the stale grant is reported, not removed", async () => {
    const newPrincipal = await switchedThenReset(["Azure File Sync Administrator", "Reader"]);
    const change: IdentityChange = {
      machineId: machineOf(1),
      principalId: newPrincipal,
      previousPrincipalId: principalOf(1),
      hostNames: ["fs1"],
    };
    await harness.run(false, {}, { identityChanges: [change] });
    const report = await harness.run(false, { pruneStaleGrants: true });
    expect(report.outcomes[0]).toMatchObject({
      status: "skipped",
      skippedBecause: expect.stringContaining("reported, not removed"),
    });
    expect(report.outcomes[0]?.remedy).toContain("Role Based Access Control Administrator");
    expect(report.converged).toBe(false);
    const remaining = [...harness.emulator.core.state.roleAssignments.values()].filter(
      (a) => a.principalId.toLowerCase() === principalOf(1) && a.scope.toLowerCase() === SHARE_A.toLowerCase(),
    );
    expect(remaining).toHaveLength(1);
  });
});
