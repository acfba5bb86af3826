import { describe, expect, it } from "vitest";
import { ROLE, listRoleAssignmentsForPrincipal } from "../../../../src/lib/azure/role-assignments";
import { getStorageSyncService } from "../../../../src/lib/azure/storage-sync";
import { NO_ELIGIBLE_SERVER_WARNING, reconcileService } from "../../../../src/lib/reconcile";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  SERVICE_ID,
  SETTINGS,
  SUB_A,
  eligibleServer,
  principalOf,
  serverIdOf,
  serverResourceId,
  shareOf,
  useEngineHarness,
  syncGroupOn,
  tenant,
} from "../../support/reconcile-harness";

const harness = useEngineHarness();

describe("reconcile: topologies", () => {
  it("does nothing, with a clear warning, when no server is eligible", async () => {
    await harness.load(
      tenant({
        servers: [{ serverId: serverIdOf(1), serverName: "fs1", agentVersion: "21.2.0.0" }],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
      }),
    );
    const report = await harness.run();
    expect(report.plan).toEqual([]);
    expect(report.warnings).toContain(NO_ELIGIBLE_SERVER_WARNING);
    expect(report.servers.map((v) => v.state)).toEqual(["NoIdentity"]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
    expect((await getStorageSyncService(harness.arm, SERVICE_ID)).identity.type).toBe("None");
  });

  it("brings over only the eligible servers of a mixed service: identity-less and too-old ones get verdicts and no grants", async () => {
    await harness.load(
      tenant({
        servers: [
          eligibleServer(1),
          { serverId: serverIdOf(2), serverName: "fs2.contoso.local", agentVersion: "21.2.0.0" },
          // An agent the service still calls Ok (v21.1 has no published expiry), below the floor given here.
          eligibleServer(3, { agentVersion: "21.1.0.0" }),
        ],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1, 2, 3])],
      }),
    );
    const report = await harness.run(false, { minAgentVersion: "21.2.0.0" });
    expect(report.servers.map((v) => [v.name, v.state])).toEqual([
      ["fs1.contoso.local", "Switched"],
      ["fs2.contoso.local", "NoIdentity"],
      ["fs3.contoso.local", "AgentTooOld"],
    ]);
    expect(report.servers[2]?.reason).toContain("21.1.0.0");
    expect(report.warnings.some((w) => w.includes("fs3.contoso.local"))).toBe(true);
    expect(await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_A, principalOf(3))).toEqual([]);
    expect((await harness.emulator.admin.getServer(serverResourceId(3))).identity).toBe(false);
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).identity).toBe(true);
  });

  it("grants every eligible node of a cluster on the shares of the ClusterName's endpoints and never switches the ClusterName entry", async () => {
    const clusterId = serverIdOf(9);
    await harness.load(
      tenant({
        servers: [
          {
            serverId: clusterId,
            serverName: "fscluster.contoso.local",
            serverRole: "ClusterName",
            clusterId,
            clusterName: "fscluster",
          },
          eligibleServer(1, { serverRole: "ClusterNode", clusterId, clusterName: "fscluster" }),
          eligibleServer(2, { serverRole: "ClusterNode", clusterId, clusterName: "fscluster" }),
        ],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share2", [9])],
      }),
    );
    const report = await harness.run();
    expect(report.converged).toBe(true);
    expect(report.servers.map((v) => v.state)).toEqual(["ClusterName", "Switched", "Switched"]);
    for (const n of [1, 2]) {
      const grants = await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_A, principalOf(n));
      expect(grants.map((g) => [g.scope.toLowerCase(), g.roleDefinitionGuid])).toEqual([
        [shareOf(ACCOUNT_A, "share2").toLowerCase(), ROLE.storageFileDataPrivilegedContributor],
      ]);
    }
    expect((await harness.emulator.admin.getServer(serverResourceId(9))).identity).toBe(false);
    await harness.emulator.admin.advanceTime(60_000);
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).activeAuthType).toBe("ManagedIdentity");
    expect((await harness.emulator.admin.getServer(serverResourceId(2))).activeAuthType).toBe("ManagedIdentity");
  });

  it("counts a pre-existing assignment inherited from the resource group and the subscription as present", async () => {
    const servicePrincipal = "5e5e5e5e-0000-4000-8000-0000000000aa";
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
        identity: { type: "SystemAssigned", principalId: servicePrincipal },
        roleAssignments: [
          {
            scope: `/subscriptions/${SUB_A}/resourceGroups/rg-data`,
            role: ROLE.storageAccountContributor,
            principalId: servicePrincipal,
            principalType: "ServicePrincipal",
          },
          {
            scope: `/subscriptions/${SUB_A}`,
            role: ROLE.storageFileDataPrivilegedContributor,
            principalId: principalOf(1),
            principalType: "ServicePrincipal",
          },
        ],
      }),
    );
    const report = await harness.run();
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole", "setUseIdentity", "switchServer"]);
    expect(report.plan[0]).toMatchObject({
      scope: shareOf(ACCOUNT_A, "share1"),
      principal: { kind: "service", principalId: servicePrincipal },
    });
    const calls = await harness.emulator.admin.calls();
    expect(calls.byOperation["RoleAssignments_Create"]?.writes).toBe(1);
    // One list per storage account for every principal (two here): the cmdlet lists before every grant.
    // Plus one of the server's principal on that account right before its switch, proving its grants still exist.
    expect(calls.byOperation["RoleAssignments_ListForScope"]?.reads).toBe(2);
  });

  it("counts assignments above the subscription (root scope, as a management group's) as present: the ids do not show they contain the account", async () => {
    const servicePrincipal = "5e5e5e5e-0000-4000-8000-0000000000ab";
    await harness.load(
      tenant({
        servers: [eligibleServer(1)],
        syncGroups: [syncGroupOn("sg", ACCOUNT_B, "share1", [1])],
        identity: { type: "SystemAssigned", principalId: servicePrincipal },
        roleAssignments: [
          {
            scope: "/",
            role: ROLE.storageAccountContributor,
            principalId: servicePrincipal,
            principalType: "ServicePrincipal",
          },
          {
            scope: "/",
            role: ROLE.storageFileDataPrivilegedContributor,
            principalId: servicePrincipal,
            principalType: "ServicePrincipal",
          },
          {
            scope: "/",
            role: ROLE.storageFileDataPrivilegedContributor,
            principalId: principalOf(1),
            principalType: "ServicePrincipal",
          },
        ],
      }),
    );
    const report = await harness.run();
    expect(report.plan.map((a) => a.kind)).toEqual(["setUseIdentity", "switchServer"]);
    expect(report.converged).toBe(true);
    expect((await harness.emulator.admin.calls()).byOperation["RoleAssignments_Create"]).toBeUndefined();
  });

  it("repairs a switched server after an Arc identity reset: grants the new principal, then PATCHes identity + applicationId, read back", async () => {
    const machine = `/subscriptions/${SUB_A}/resourceGroups/rg-sync/providers/Microsoft.HybridCompute/machines/fs1`;
    await harness.load(
      tenant({
        servers: [{ serverId: serverIdOf(1), serverName: "fs1.contoso.local", agentVersion: "21.2.0.0" }],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])],
        arcMachines: [{ name: "fs1", hostName: "fs1.contoso.local", principalId: principalOf(1) }],
      }),
    );
    expect((await harness.run()).servers[0]).toMatchObject({ state: "Switched", principalId: principalOf(1) });
    await harness.emulator.admin.advanceTime(60_000);
    expect((await harness.run()).servers[0]?.state).toBe("Active");

    const newPrincipal = (await harness.emulator.admin.setMachineIdentity(machine, "reset")) ?? "";
    expect(newPrincipal).toBeTruthy();
    await harness.emulator.admin.advanceTime(60_000);
    // The agent cannot report the new identity (its trust is broken): a dry run (which compares no machines) sees
    // nothing to do.
    expect((await harness.run(true)).plan).toEqual([]);

    await harness.emulator.admin.resetCalls();
    const change = {
      machineId: machine,
      principalId: newPrincipal,
      previousPrincipalId: principalOf(1),
      hostNames: ["fs1", "fs1.contoso.local"],
    };
    const report = await harness.run(false, {}, { identityChanges: [change] });
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole", "repairServer"]);
    expect(report.plan[0]).toMatchObject({ principal: { kind: "server", principalId: newPrincipal } });
    expect(report.plan[1]?.dependsOn).toEqual([report.plan[0]?.id]); // the grant comes before the repair
    expect(report.servers[0]).toMatchObject({ state: "Switched", principalId: newPrincipal, switchedThisRun: true });
    expect(report.servers[0]?.reason).toContain("Repaired");
    expect((await harness.emulator.admin.calls()).writes).toBe(2);
    expect(await harness.emulator.admin.getServer(serverResourceId(1))).toMatchObject({
      identity: true,
      applicationId: newPrincipal,
    });

    await harness.emulator.admin.resetCalls();
    expect((await harness.run()).plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
    await harness.emulator.admin.advanceTime(60_000);
    expect(await harness.emulator.admin.getServer(serverResourceId(1))).toMatchObject({
      activeAuthType: "ManagedIdentity",
      applicationId: newPrincipal,
    });
    expect((await harness.run()).servers[0]).toMatchObject({ state: "Active", principalId: newPrincipal });
  });

  it("follows nextLink on every list and grants on every sync group of a server, not only the first", async () => {
    // One item per page: a run that read only first pages would miss servers, groups and endpoints.
    // (A sync group holds one cloud endpoint: Azure File Sync's hard limit, which the emulator enforces.)
    await harness.load(
      tenant({
        servers: [eligibleServer(1), eligibleServer(2), eligibleServer(3)],
        syncGroups: [
          syncGroupOn("sg-a", ACCOUNT_A, "share1", [1, 2]),
          syncGroupOn("sg-b", ACCOUNT_B, "share2", [1, 2]),
          syncGroupOn("sg-other", ACCOUNT_A, "share3", [3]),
        ],
      }),
      { listPageSize: 1 },
    );
    const report = await harness.run();
    expect(report.converged).toBe(true);
    expect(report.servers.map((v) => v.state)).toEqual(["Switched", "Switched", "Switched"]);
    for (const n of [1, 2]) {
      const onA = await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_A, principalOf(n));
      const onB = await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_B, principalOf(n));
      expect(onA.map((g) => g.scope.toLowerCase())).toEqual([shareOf(ACCOUNT_A, "share1").toLowerCase()]);
      expect(onB.map((g) => g.scope.toLowerCase())).toEqual([shareOf(ACCOUNT_B, "share2").toLowerCase()]);
    }
    const service = await getStorageSyncService(harness.arm, SERVICE_ID);
    const serviceOnB = await listRoleAssignmentsForPrincipal(
      harness.arm,
      ACCOUNT_B,
      service.identity.principalId as string,
    );
    expect(serviceOnB.map((g) => g.roleDefinitionGuid).sort()).toEqual(
      [ROLE.storageAccountContributor, ROLE.storageFileDataPrivilegedContributor].sort(),
    );
    await harness.emulator.admin.resetCalls();
    expect((await harness.run()).plan).toEqual([]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
  });

  it("does not set useIdentity while a cloud endpoint comes back with an empty storageAccountResourceId, so no server is switched (the documented order)", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1), eligibleServer(2)],
        syncGroups: [
          syncGroupOn("sg-sloppy", ACCOUNT_B, "share1", [1]),
          syncGroupOn("sg-ok", ACCOUNT_A, "share1", [2]),
        ],
      }),
    );
    // The spec examples' cloud endpoint: the account id is an empty string.
    const arm = harness.connectWith({
      name: "empty-storage-account-id",
      async sendRequest(request, next) {
        const response = await next(request);
        if (
          request.method === "GET" &&
          /\/syncGroups\/sg-sloppy\/cloudEndpoints\?/i.test(request.url) &&
          response.bodyAsText
        ) {
          const body = JSON.parse(response.bodyAsText) as { value: Array<{ properties: Record<string, unknown> }> };
          for (const c of body.value) c.properties.storageAccountResourceId = "";
          response.bodyAsText = JSON.stringify(body);
        }
        return response;
      },
    });
    const report = await reconcileService(arm, SERVICE_ID, { dryRun: false, settings: SETTINGS });
    expect(report.servers.map((v) => [v.state, v.switchedThisRun])).toEqual([
      ["Failed", false],
      ["Eligible", false],
    ]);
    expect(report.servers[0]?.error?.code).toBe("CloudEndpointIncomplete");
    expect(report.servers[1]?.reason).toContain("useIdentity is not set");
    expect((await harness.emulator.admin.getServer(serverResourceId(2))).identity).toBe(false);
    expect(report.plan.some((a) => a.kind === "setUseIdentity")).toBe(false);
    expect(report.converged).toBe(false);
    expect(report.warnings.some((w) => w.includes("sg-sloppy"))).toBe(true);
    expect((await getStorageSyncService(harness.arm, SERVICE_ID)).useIdentity).toBe(false);
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).identity).toBe(false);
  });

  it("reads sloppy bodies like the spec examples (serverAuthType, UseIdentity, quoted and upper-case GUIDs, zero GUIDs, lower-case enums) and still converges with zero writes on a re-run", async () => {
    const ZERO = "00000000-0000-0000-0000-000000000000";
    const clusterId = serverIdOf(9);
    await harness.load(
      tenant({
        servers: [
          {
            serverId: clusterId,
            serverName: "fscluster",
            serverRole: "ClusterName",
            clusterId,
            clusterName: "fscluster",
          },
          eligibleServer(1, { serverRole: "ClusterNode", clusterId, clusterName: "fscluster" }),
          // Eligible only through (server)AuthType Certificate with an applicationId.
          { serverId: serverIdOf(2), serverName: "fs2", agentVersion: "21.2.0.0", applicationId: principalOf(2) },
        ],
        syncGroups: [syncGroupOn("sg-cluster", ACCOUNT_A, "share1", [9]), syncGroupOn("sg", ACCOUNT_A, "share2", [2])],
      }),
    );
    const sloppyServer = (server: { properties: Record<string, unknown> }) => {
      const p = server.properties;
      if (typeof p.activeAuthType === "string") p.serverAuthType = p.activeAuthType.toLowerCase();
      delete p.activeAuthType;
      if (typeof p.serverRole === "string") p.serverRole = p.serverRole.toLowerCase();
      p.latestApplicationId =
        typeof p.latestApplicationId === "string" ? `"${p.latestApplicationId.toUpperCase()}"` : ZERO;
      p.applicationId = typeof p.applicationId === "string" ? p.applicationId.toUpperCase() : ZERO;
      if (typeof p.clusterId === "string") p.clusterId = `{${p.clusterId.toUpperCase()}}`;
    };
    const arm = harness.connectWith({
      name: "sloppy-bodies",
      async sendRequest(request, next) {
        const response = await next(request);
        if (request.method !== "GET" || !response.bodyAsText || response.status !== 200) return response;
        const body = JSON.parse(response.bodyAsText) as Record<string, unknown> & {
          value?: Array<{ properties: Record<string, unknown> }>;
        };
        if (/\/registeredServers\?/i.test(request.url)) for (const server of body.value ?? []) sloppyServer(server);
        else if (/\/registeredServers\/[^/?]+\?/i.test(request.url))
          sloppyServer(body as { properties: Record<string, unknown> });
        else if (/\/storageSyncServices\/sss\?/i.test(request.url)) {
          const properties = body.properties as Record<string, unknown>;
          properties.UseIdentity = properties.useIdentity;
          delete properties.useIdentity;
          const identity = body.identity as Record<string, unknown> | undefined;
          if (identity && typeof identity.tenantId === "string") identity.tenantId = `"${identity.tenantId}"`;
          if (identity && typeof identity.type === "string") identity.type = identity.type.toLowerCase();
        }
        response.bodyAsText = JSON.stringify(body);
        return response;
      },
    });
    const first = await reconcileService(arm, SERVICE_ID, { dryRun: false, settings: SETTINGS });
    expect(first.converged).toBe(true);
    expect(first.servers.map((v) => [v.state, v.principalId])).toEqual([
      ["ClusterName", undefined],
      ["Switched", principalOf(1)],
      ["Switched", principalOf(2)],
    ]);
    expect(first.service).toMatchObject({ identityType: "SystemAssigned", useIdentity: true });
    for (const n of [1, 2])
      expect(await listRoleAssignmentsForPrincipal(harness.arm, ACCOUNT_A, principalOf(n))).toHaveLength(1);

    await harness.emulator.admin.resetCalls();
    const second = await reconcileService(arm, SERVICE_ID, { dryRun: false, settings: SETTINGS });
    expect(second.plan).toEqual([]);
    expect(second.servers.map((v) => v.state)).toEqual(["ClusterName", "Switched", "Switched"]);
    expect((await harness.emulator.admin.calls()).writes).toBe(0);
  });

  it("reports a cloud endpoint whose storage account is gone with a remedy; useIdentity waits for it, and so do the switches (the documented order)", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1), eligibleServer(2)],
        syncGroups: [syncGroupOn("sg-gone", ACCOUNT_B, "share1", [1]), syncGroupOn("sg-ok", ACCOUNT_A, "share1", [2])],
      }),
    );
    // The account was deleted after the cloud endpoint was made: ARM answers 404 for its scope.
    await harness.emulator.admin.addFault({
      match: { pathContains: "/storageAccounts/stdatab/" },
      effect: { kind: "status", status: 404, code: "ResourceNotFound" },
    });
    const report = await harness.run();
    expect(report.converged).toBe(false);
    const failed = report.outcomes.filter((o) => o.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed) {
      expect(o.error?.statusCode).toBe(404);
      expect(o.remedy).toContain("cloud endpoint");
    }
    expect(report.outcomes.find((o) => o.actionId === "set-use-identity")?.status).toBe("skipped");
    expect(report.servers.map((v) => v.state)).toEqual(["Failed", "Failed"]);
    expect(report.servers[1]?.reason).toContain("set-use-identity skipped");
    // Its own grant was still made: once the account is fixed, only useIdentity and the switches remain.
    expect(report.outcomes.find((o) => o.actionId.includes(principalOf(2)))?.status).toBe("succeeded");
  });
});
