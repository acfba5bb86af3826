import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ROLE,
  isProductAssignment,
  roleAssignmentName,
  type RoleAssignmentView,
} from "../../../../src/lib/azure/role-assignments";
import type { StorageAccountView } from "../../../../src/lib/azure/views";
import { classifyAll } from "../../../../src/lib/reconcile/classify-all";
import { prerequisiteFindings } from "../../../../src/lib/reconcile/prerequisites";
import { fileShareScope } from "../../../../src/lib/reconcile/required-grants";
import { staleGrants } from "../../../../src/lib/reconcile/stale-grants";
import { SERVICE_ID, SUB_B, accountId, guid, server, snapshotOf, syncGroup } from "../../support/topology";

const acct = accountId(SUB_B, "acct1");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const service = {
  resourceId: SERVICE_ID,
  name: "sss",
  identity: {
    type: "SystemAssigned" as const,
    principalId: guid(9, "e"),
    tenantId: TENANT,
    userAssignedIdentityIds: [],
  },
  useIdentity: true,
};
/** A server switched to `principal` (identity true), on its identity. */
const switched = (n: number, name: string, principal: string) =>
  server(guid(n, "d"), {
    serverName: name,
    identity: true,
    applicationId: principal,
    activeAuthType: "ManagedIdentity",
  });

describe("classifyAll: identity changes", () => {
  const fs1 = switched(1, "fs1.contoso.local", guid(1, "c"));
  const fs2 = switched(2, "fs2.contoso.local", guid(2, "c"));
  const base = {
    servers: [fs1, fs2],
    syncGroups: [syncGroup("sg", [{ account: acct, share: "s" }], [fs1.serverId, fs2.serverId])],
    service,
  };
  const change = { machineId: "/m/fs1", principalId: guid(7, "b"), hostNames: ["FS1"] };

  it("repairs the server bound to the previous principal, or else the one whose host name matches (short or FQDN, any case)", () => {
    for (const hint of [
      { ...change, previousPrincipalId: guid(1, "c"), hostNames: [] },
      change,
      { ...change, hostNames: ["Fs1.Contoso.Local"] },
    ]) {
      const c = classifyAll(snapshotOf({ ...base, hints: { identityChanges: [hint] } }), "20.0.0.0");
      expect(c.get(fs1.serverId)).toMatchObject({
        state: "Eligible",
        principalId: guid(7, "b"),
        repairFrom: guid(1, "c"),
      });
      expect(c.get(fs2.serverId)?.state).toBe("Active");
    }
  });

  it("leaves a server not yet switched, and one already bound to the new principal, to the ordinary flow", () => {
    const fresh = server(guid(1, "d"), { serverName: "fs1", latestApplicationId: guid(7, "b") });
    const ordinary = classifyAll(
      snapshotOf({ ...base, servers: [fresh], hints: { identityChanges: [change] } }),
      "20.0.0.0",
    ).get(fresh.serverId);
    expect(ordinary?.state).toBe("Eligible");
    expect(ordinary?.repairFrom).toBeUndefined();
    const repaired = switched(1, "fs1", guid(7, "b"));
    expect(
      classifyAll(snapshotOf({ ...base, servers: [repaired], hints: { identityChanges: [change] } }), "20.0.0.0").get(
        repaired.serverId,
      )?.state,
    ).toBe("Active");
  });

  it("a server not switched yet that still reports the machine's previous identity is granted and switched on the current one", () => {
    const stale = server(guid(1, "d"), { serverName: "fs1.contoso.local", latestApplicationId: guid(1, "c") });
    const other = server(guid(2, "d"), { serverName: "fs2.contoso.local", latestApplicationId: guid(2, "c") });
    for (const hint of [change, { ...change, previousPrincipalId: guid(1, "c"), hostNames: [] }]) {
      const c = classifyAll(
        snapshotOf({ ...base, servers: [stale, other], hints: { identityChanges: [hint] } }),
        "20.0.0.0",
      );
      expect(c.get(stale.serverId)).toMatchObject({ state: "Eligible", principalId: guid(7, "b") });
      expect(c.get(stale.serverId)?.repairFrom).toBeUndefined();
      expect(c.get(other.serverId)).toMatchObject({ state: "Eligible", principalId: guid(2, "c") });
    }
    // Two unswitched servers answering to the host name: neither is touched.
    const twin = server(guid(3, "d"), { serverName: "FS1", latestApplicationId: guid(3, "c") });
    const both = classifyAll(
      snapshotOf({ ...base, servers: [stale, twin], hints: { identityChanges: [change] } }),
      "20.0.0.0",
    );
    expect(both.get(stale.serverId)?.principalId).toBe(guid(1, "c"));
    expect(both.get(twin.serverId)?.principalId).toBe(guid(3, "c"));
  });

  it("marks every switched server a host name matches when it matches more than one, and repairs none", () => {
    const twin = switched(3, "FS1.branch.local", guid(3, "c"));
    const c = classifyAll(
      snapshotOf({ ...base, servers: [fs1, twin], hints: { identityChanges: [change] } }),
      "20.0.0.0",
    );
    for (const s of [fs1, twin])
      expect(c.get(s.serverId)).toMatchObject({ state: "Failed", error: { code: "AmbiguousHostName" } });
  });

  it("never repairs or switches for an identity of another tenant", () => {
    const c = classifyAll(
      snapshotOf({ ...base, hints: { identityChanges: [{ ...change, tenantId: guid(1, "f") }] } }),
      "20.0.0.0",
    );
    expect(c.get(fs1.serverId)).toMatchObject({ state: "Failed", error: { code: "CrossTenantIdentity" } });
  });

  it("re-sends only the switch of an overdue server that is still Switched", () => {
    const waiting = server(guid(4, "d"), { identity: true, applicationId: guid(4, "c") });
    const c = classifyAll(
      snapshotOf({ ...base, servers: [fs1, waiting], hints: { overdueServerIds: [fs1.serverId, waiting.serverId] } }),
      "20.0.0.0",
    );
    expect(c.get(waiting.serverId)).toMatchObject({ state: "Eligible", resend: true, principalId: guid(4, "c") });
    expect(c.get(fs1.serverId)?.state).toBe("Active");
  });
});

describe("prerequisiteFindings", () => {
  const s1 = server(guid(1, "d"));
  const s2 = server(guid(2, "d"), { activeAuthType: "ManagedIdentity", applicationId: guid(2, "c") });
  const snap = (account: Partial<StorageAccountView>) =>
    snapshotOf({
      servers: [s1, s2],
      syncGroups: [syncGroup("sg", [{ account: acct, share: "s" }], [s1.serverId, s2.serverId])],
      storageAccounts: [
        { resourceId: acct, defaultAction: "Allow", bypass: ["AzureServices"], allowSharedKeyAccess: true, ...account },
      ],
    });

  it("a default Deny without AzureServices in bypass affects every server of the account", () => {
    expect(prerequisiteFindings(snap({ defaultAction: "Deny", bypass: ["None"] }))).toMatchObject([
      { code: "TrustedServicesBypassMissing", serverIds: [s1.serverId, s2.serverId] },
    ]);
    expect(prerequisiteFindings(snap({ defaultAction: "Deny", bypass: ["Logging", "azureservices"] }))).toEqual([]);
  });

  it("shared keys disabled affect only the servers still on their certificate", () => {
    expect(prerequisiteFindings(snap({ allowSharedKeyAccess: false }))).toMatchObject([
      { code: "SharedKeyAccessDisabled", serverIds: [s1.serverId] },
    ]);
  });
});

describe("staleGrants", () => {
  const share = fileShareScope(acct, "s");
  const other = fileShareScope(acct, "not-synced");
  const current = server(guid(1, "d"), { identity: true, applicationId: guid(1, "c") });
  const snapshot = (assignments: RoleAssignmentView[]) =>
    snapshotOf({
      service,
      servers: [current],
      syncGroups: [syncGroup("sg", [{ account: acct, share: "s" }], [current.serverId])],
      accountAssignments: assignments,
    });
  const made = (scope: string, principalId: string, role: string, byUs = true): RoleAssignmentView => ({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${byUs ? roleAssignmentName(scope, principalId, role) : "0f0f0f0f-0000-4000-8000-000000000000"}`,
    scope,
    principalId,
    roleDefinitionGuid: role,
  });

  it("picks only the product's share-role grants on synced shares for principals nobody there uses", () => {
    const stale = made(share, guid(5, "b"), ROLE.storageFileDataPrivilegedContributor);
    const kept = [
      made(share, guid(1, "c"), ROLE.storageFileDataPrivilegedContributor), // the server's current principal
      made(share, guid(9, "e"), ROLE.storageFileDataPrivilegedContributor), // the service's
      made(share, guid(5, "b"), ROLE.storageFileDataPrivilegedContributor, false), // made by someone else
      made(acct, guid(5, "b"), ROLE.storageAccountContributor), // account role: never pruned
      made(other, guid(5, "b"), ROLE.storageFileDataPrivilegedContributor), // a share this service does not sync
    ];
    expect(staleGrants(snapshot([stale, ...kept]))).toEqual([stale]);
  });

  it("property: whatever exists, only product-made share-role grants are ever chosen", () => {
    const assignment = fc.record({
      scope: fc.constantFrom(share, other, acct),
      principalId: fc.constantFrom(guid(1, "c"), guid(5, "b"), guid(9, "e")),
      role: fc.constantFrom<string>(
        ROLE.storageFileDataPrivilegedContributor,
        ROLE.storageAccountContributor,
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
      ),
      byUs: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(assignment, { maxLength: 12 }), (list) => {
        for (const a of staleGrants(snapshot(list.map((x) => made(x.scope, x.principalId, x.role, x.byUs))))) {
          expect(isProductAssignment(a)).toBe(true);
          expect(a).toMatchObject({
            scope: share,
            roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
            principalId: guid(5, "b"),
          });
        }
      }),
    );
  });
});
