import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MachineIdentity } from "../../../../src/lib/azure/machines";
import { classifyAll } from "../../../../src/lib/reconcile/classify-all";
import { findIdentityDrift, mergeIdentityChanges } from "../../../../src/lib/reconcile/identity-drift";
import { outermostScopes } from "../../../../src/lib/reconcile/machine-directory";
import { SUB_B, accountId, guid, server, snapshotOf, syncGroup } from "../../support/topology";

const machine = (n: number, hostNames: string[], principalId: string | undefined): MachineIdentity => ({
  resourceId: `/subscriptions/${SUB_B}/resourcegroups/rg/providers/microsoft.hybridcompute/machines/m${n}`,
  name: `m${n}`,
  principalId,
  hostNames,
});
const switched = (n: number, name: string, principal: string) =>
  server(guid(n, "d"), {
    serverName: name,
    identity: true,
    applicationId: principal,
    activeAuthType: "ManagedIdentity",
  });

describe("findIdentityDrift", () => {
  const fs1 = switched(1, "fs1.contoso.local", guid(1, "c"));

  it("finds nothing when a machine has the server's principal, whatever the names say", () => {
    expect(findIdentityDrift([fs1], [machine(1, ["other"], guid(1, "c")), machine(2, ["fs1"], guid(2, "c"))])).toEqual({
      changes: [],
      warnings: [],
    });
  });

  it("ties a drifted server to the one machine its host name matches, with the previous principal it is bound to", () => {
    const { changes } = findIdentityDrift([fs1], [machine(1, ["fs1.contoso.local"], guid(7, "b"))]);
    expect(changes).toEqual([
      expect.objectContaining({
        machineId: machine(1, [], undefined).resourceId,
        principalId: guid(7, "b"),
        previousPrincipalId: guid(1, "c"),
      }),
    ]);
  });

  it("prefers the machine the app recorded with the principal over host names", () => {
    const recorded = new Map([[guid(1, "c"), machine(3, [], undefined).resourceId]]);
    const { changes } = findIdentityDrift(
      [fs1],
      [machine(1, ["fs1"], guid(7, "b")), machine(3, ["node3"], guid(8, "b"))],
      recorded,
    );
    expect(changes.map((c) => c.principalId)).toEqual([guid(8, "b")]);
  });

  it("writes nothing for a host name matching two machines, or a machine without a system-assigned identity, and says why", () => {
    const two = findIdentityDrift(
      [fs1],
      [machine(1, ["fs1"], guid(7, "b")), machine(2, ["FS1.branch.local"], guid(8, "b"))],
    );
    expect(two.changes).toEqual([]);
    expect(two.warnings[0]).toContain("matches 2 machines");
    const none = findIdentityDrift([fs1], [machine(1, ["fs1"], undefined)]);
    expect(none.changes).toEqual([]);
    expect(none.warnings[0]).toContain("no system-assigned identity");
  });

  it("ignores servers not switched and cluster name entries", () => {
    const fresh = server(guid(2, "d"), { serverName: "fs2", latestApplicationId: guid(2, "c") });
    const cluster = server(guid(3, "d"), {
      serverName: "fs3",
      serverRole: "ClusterName",
      identity: true,
      applicationId: guid(3, "c"),
    });
    expect(
      findIdentityDrift([fresh, cluster], [machine(2, ["fs2"], guid(7, "b")), machine(3, ["fs3"], guid(8, "b"))])
        .changes,
    ).toEqual([]);
  });

  it("property: every change it finds makes classifyAll repair exactly that server onto the machine's principal", () => {
    const acct = accountId(SUB_B, "acct1");
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (drifted) => {
        const servers = drifted.map((_, i) => switched(i + 1, `fs${i + 1}.contoso.local`, guid(i + 1, "c")));
        const machines = drifted.map((d, i) =>
          machine(i + 1, [`fs${i + 1}.contoso.local`], d ? guid(i + 1, "b") : guid(i + 1, "c")),
        );
        const { changes, warnings } = findIdentityDrift(servers, machines);
        expect(warnings).toEqual([]);
        expect(changes).toHaveLength(drifted.filter(Boolean).length);
        const snapshot = snapshotOf({
          servers,
          syncGroups: [
            syncGroup(
              "sg",
              [{ account: acct, share: "s" }],
              servers.map((s) => s.serverId),
            ),
          ],
          hints: { identityChanges: mergeIdentityChanges([], changes) },
        });
        const classified = classifyAll(snapshot, "20.0.0.0");
        drifted.forEach((d, i) => {
          const c = classified.get(servers[i]?.serverId ?? "");
          if (d)
            expect(c).toMatchObject({ state: "Eligible", principalId: guid(i + 1, "b"), repairFrom: guid(i + 1, "c") });
          else expect(c?.state).toBe("Active");
        });
      }),
    );
  });
});

describe("mergeIdentityChanges and outermostScopes", () => {
  it("keeps one change per machine and principal, the event's first", () => {
    const a = { machineId: "/M/1", principalId: "P", hostNames: [] };
    expect(
      mergeIdentityChanges(
        [a],
        [
          { ...a, machineId: "/m/1", principalId: "p" },
          { ...a, principalId: "q" },
        ],
      ),
    ).toHaveLength(2);
  });

  it("drops a resource group whose subscription is listed", () => {
    expect(
      outermostScopes([
        `/subscriptions/${SUB_B}/resourceGroups/rg`,
        `/subscriptions/${SUB_B}`,
        `/subscriptions/${SUB_B}/`,
      ]),
    ).toEqual([`/subscriptions/${SUB_B}`]);
  });
});
