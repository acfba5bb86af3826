import { describe, expect, it } from "vitest";
import { ROLE, roleAssignmentName } from "../../../../src/lib/azure/role-assignments";
import { toCloudEndpointView } from "../../../../src/lib/azure/views";
import { NO_ELIGIBLE_SERVER_WARNING, isGrantPresent, plan } from "../../../../src/lib/reconcile/plan";
import { fileShareScope } from "../../../../src/lib/reconcile/required-grants";
import { SERVICE_ID, SUB_A, SUB_B, accountId, guid, server, snapshotOf, syncGroup } from "../../support/topology";

const settings = { minAgentVersion: "19.1.0.0" };
const acct = accountId(SUB_B, "acct1");
const share = fileShareScope(acct, "share1");
const kinds = (actions: { kind: string }[]) => actions.map((a) => a.kind);

describe("plan", () => {
  it("plans the cmdlet's whole sequence for a fresh service, gated per server", () => {
    const s1 = server(guid(1, "d"), { latestApplicationId: guid(1, "c") });
    const p = plan(
      snapshotOf({ servers: [s1], syncGroups: [syncGroup("sg", [{ account: acct, share: "share1" }], [s1.serverId])] }),
      settings,
    );
    expect(kinds(p.actions)).toEqual([
      "enableServiceIdentity",
      "grantRole",
      "grantRole",
      "grantRole",
      "setUseIdentity",
      "switchServer",
    ]);
    const [enable, accountGrant, shareGrant, serverGrant, useIdentity, switchServer] = p.actions;
    expect(enable).toMatchObject({ fromType: "None", toType: "SystemAssigned", useIdentity: false });
    expect(accountGrant).toMatchObject({
      scope: acct,
      roleDefinitionGuid: ROLE.storageAccountContributor,
      dependsOn: ["enable-service-identity"],
    });
    expect(shareGrant).toMatchObject({ scope: share, roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor });
    expect(serverGrant).toMatchObject({
      scope: share,
      principal: { kind: "server", principalId: guid(1, "c") },
      dependsOn: [],
      assignmentName: roleAssignmentName(share, guid(1, "c"), ROLE.storageFileDataPrivilegedContributor),
    });
    expect(useIdentity?.dependsOn).toEqual(["enable-service-identity", accountGrant?.id, shareGrant?.id]);
    // The documented order: the switch waits for the server's grants and for useIdentity.
    expect(switchServer?.dependsOn).toEqual([serverGrant?.id, "set-use-identity"]);
    expect(p.servers[0]?.state).toBe("Eligible");
    expect(p.service).toMatchObject({ identityType: "SystemAssigned", useIdentity: true });
  });

  it("keeps a user-assigned identity and the current useIdentity", () => {
    const s1 = server(guid(1, "d"), { latestApplicationId: guid(1, "c") });
    const snapshot = snapshotOf({ servers: [s1], syncGroups: [] });
    snapshot.service.identity = { type: "UserAssigned", userAssignedIdentityIds: ["/x/uai"] };
    snapshot.service.useIdentity = true;
    const enable = plan(snapshot, settings).actions[0];
    expect(enable).toMatchObject({
      kind: "enableServiceIdentity",
      toType: "SystemAssigned,UserAssigned",
      userAssignedIdentityIds: ["/x/uai"],
      useIdentity: true,
    });
  });

  it("counts an assignment at an ancestor scope as present", () => {
    const s1 = server(guid(1, "d"), { latestApplicationId: guid(1, "c") });
    const snapshot = snapshotOf({
      servers: [s1],
      syncGroups: [syncGroup("sg", [{ account: acct, share: "share1" }], [s1.serverId])],
      assignments: [
        {
          id: "rg",
          scope: `/subscriptions/${SUB_B}/resourceGroups/RG-DATA`,
          principalId: "5e000000-0000-4000-8000-000000000000",
          roleDefinitionGuid: ROLE.storageAccountContributor,
        },
        {
          id: "acct",
          scope: acct,
          principalId: guid(1, "c"),
          roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
        },
        // same principal, wrong role, and a descendant scope: neither counts
        {
          id: "other",
          scope: share,
          principalId: "5e000000-0000-4000-8000-000000000000",
          roleDefinitionGuid: ROLE.storageAccountContributor,
        },
        {
          id: "below",
          scope: `${share}/x/y`,
          principalId: "5e000000-0000-4000-8000-000000000000",
          roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
        },
      ],
    });
    snapshot.service.identity = {
      type: "SystemAssigned",
      principalId: "5e000000-0000-4000-8000-000000000000",
      userAssignedIdentityIds: [],
    };
    const p = plan(snapshot, settings);
    expect(kinds(p.actions)).toEqual(["grantRole", "setUseIdentity", "switchServer"]);
    expect(p.actions[0]).toMatchObject({
      scope: share,
      principal: { kind: "service" },
      roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
    });
    expect(p.actions[2]?.dependsOn).toEqual(["set-use-identity"]);
  });

  it("counts a management-group assignment as present only on the account it was listed at", () => {
    const other = accountId(SUB_A, "acct2");
    const snapshot = snapshotOf({
      servers: [],
      syncGroups: [],
      assignments: [
        {
          id: "mg",
          scope: "/providers/Microsoft.Management/managementGroups/mg1",
          principalId: guid(1, "c"),
          roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
          inheritedBy: acct,
        },
      ],
    });
    const role = ROLE.storageFileDataPrivilegedContributor;
    expect(isGrantPresent(snapshot, guid(1, "c"), { scope: share, roleDefinitionGuid: role })).toBe(true);
    expect(
      isGrantPresent(snapshot, guid(1, "c"), { scope: fileShareScope(other, "share1"), roleDefinitionGuid: role }),
    ).toBe(false);
    expect(
      isGrantPresent(snapshot, guid(1, "c"), { scope: acct, roleDefinitionGuid: ROLE.storageAccountContributor }),
    ).toBe(false);
  });

  it("grants every eligible node of a cluster on the ClusterName entry's shares and never switches the ClusterName entry", () => {
    const clusterId = guid(9, "e");
    const node1 = server(guid(1, "d"), { serverRole: "ClusterNode", clusterId, latestApplicationId: guid(1, "c") });
    const node2 = server(guid(2, "d"), { serverRole: "ClusterNode", clusterId, applicationId: guid(2, "b") });
    const oldNode = server(guid(3, "d"), {
      serverRole: "ClusterNode",
      clusterId,
      latestApplicationId: guid(3, "c"),
      agentVersion: "18.2.0.0",
    });
    const name = server(clusterId, { serverRole: "ClusterName", clusterId, clusterName: "fs-cluster" });
    const p = plan(
      snapshotOf({
        servers: [node1, node2, oldNode, name],
        syncGroups: [syncGroup("sg", [{ account: acct, share: "share1" }], [clusterId])],
      }),
      settings,
    );
    const serverGrants = p.actions.filter((a) => a.kind === "grantRole" && a.principal.kind === "server");
    expect(
      serverGrants.map((g) => (g.kind === "grantRole" && g.principal.kind === "server" ? g.principal.principalId : "")),
    ).toEqual([guid(1, "c"), guid(2, "b")]);
    expect(
      p.actions.filter((a) => a.kind === "switchServer").map((a) => (a.kind === "switchServer" ? a.serverId : "")),
    ).toEqual([node1.serverId, node2.serverId]);
    expect(p.servers.map((v) => v.state)).toEqual(["Eligible", "Eligible", "AgentTooOld", "ClusterName"]);
    expect(p.warnings.some((w) => w.includes("18.2.0.0"))).toBe(true);
  });

  it("does nothing and says why when no server is eligible", () => {
    const s1 = server(guid(1, "d"), { applicationId: undefined, latestApplicationId: undefined });
    const p = plan(
      snapshotOf({ servers: [s1], syncGroups: [syncGroup("sg", [{ account: acct, share: "share1" }], [s1.serverId])] }),
      settings,
    );
    expect(p.actions).toEqual([]);
    expect(p.servers[0]?.state).toBe("NoIdentity");
    expect(p.warnings).toContain(NO_ELIGIBLE_SERVER_WARNING);
  });

  it("warns about an agent too old for managed identities even when it reports none, naming the upgrade", () => {
    const old = server(guid(1, "d"), { agentVersion: "17.3.0.0" });
    const p = plan(snapshotOf({ servers: [old], syncGroups: [] }), settings);
    expect(p.servers[0]).toMatchObject({ state: "AgentTooOld" });
    expect(p.servers[0]?.reason).toContain("upgrade the Azure File Sync agent");
    expect(p.warnings.some((w) => w.includes("17.3.0.0") && w.includes("19.1.0.0"))).toBe(true);
  });

  it("repairs a missing grant of an active server without switching it again, and leaves a pending switch alone", () => {
    const active = server(guid(1, "d"), {
      activeAuthType: "ManagedIdentity",
      applicationId: guid(1, "b"),
      identity: true,
    });
    const pending = server(guid(2, "d"), {
      activeAuthType: "Certificate",
      applicationId: guid(2, "b"),
      identity: true,
    });
    const snapshot = snapshotOf({
      servers: [active, pending],
      syncGroups: [syncGroup("sg", [{ account: acct, share: "share1" }], [active.serverId, pending.serverId])],
      assignments: [
        {
          id: "1",
          scope: acct,
          principalId: "5e000000-0000-4000-8000-000000000000",
          roleDefinitionGuid: ROLE.storageAccountContributor,
        },
        {
          id: "2",
          scope: acct,
          principalId: "5e000000-0000-4000-8000-000000000000",
          roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
        },
        {
          id: "3",
          scope: `/subscriptions/${SUB_B}`,
          principalId: guid(2, "b"),
          roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
        },
      ],
    });
    snapshot.service.identity = {
      type: "SystemAssigned",
      principalId: "5e000000-0000-4000-8000-000000000000",
      userAssignedIdentityIds: [],
    };
    snapshot.service.useIdentity = true;
    const p = plan(snapshot, settings);
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ kind: "grantRole", principal: { kind: "server", principalId: guid(1, "b") } });
    expect(p.servers.map((v) => v.state)).toEqual(["Active", "Switched"]);
  });

  it("assigns in the storage account's own subscription scope even when the service lives elsewhere", () => {
    const s1 = server(guid(1, "d"), { latestApplicationId: guid(1, "c") });
    const p = plan(
      snapshotOf({ servers: [s1], syncGroups: [syncGroup("sg", [{ account: acct, share: "share1" }], [s1.serverId])] }),
      settings,
    );
    expect(SERVICE_ID).toContain(SUB_A);
    for (const a of p.actions)
      if (a.kind === "grantRole") expect(a.scope.startsWith(`/subscriptions/${SUB_B}/`)).toBe(true);
  });

  it("withholds useIdentity and the switch of the servers behind a cloud endpoint that names no storage account (the spec examples' empty storageAccountResourceId)", () => {
    const s1 = server(guid(1, "d"), { latestApplicationId: guid(1, "c") });
    const s2 = server(guid(2, "d"), { latestApplicationId: guid(2, "c") });
    const sloppy = syncGroup("sg-sloppy", [], [s1.serverId]);
    sloppy.cloudEndpoints = [
      toCloudEndpointView(
        {
          id: `${sloppy.resourceId}/cloudEndpoints/ce`,
          properties: { storageAccountResourceId: "", azureFileShareName: "share1" },
        },
        sloppy.resourceId,
      ),
    ];
    expect(sloppy.cloudEndpoints[0]?.storageAccountResourceId).toBeUndefined();
    const p = plan(
      snapshotOf({
        servers: [s1, s2],
        syncGroups: [sloppy, syncGroup("sg-ok", [{ account: acct, share: "share1" }], [s2.serverId])],
      }),
      settings,
    );
    // useIdentity cannot be set, so no server is switched, not even the one behind the complete endpoint.
    expect(kinds(p.actions)).toEqual(["enableServiceIdentity", "grantRole", "grantRole", "grantRole"]);
    expect(p.servers.map((v) => v.state)).toEqual(["Failed", "Eligible"]);
    expect(p.servers[1]?.reason).toContain("useIdentity is not set");
    expect(p.servers[0]).toMatchObject({ error: { code: "CloudEndpointIncomplete" } });
    expect(p.servers[0]?.remedy).toBeTruthy();
    expect(p.service.useIdentity).toBe(false);
    expect(p.blocked).toBe(true);
    expect(p.warnings.some((w) => w.includes("sg-sloppy"))).toBe(true);
  });
});
