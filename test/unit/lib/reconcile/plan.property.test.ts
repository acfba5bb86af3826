import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLE } from "../../../../src/lib/azure/role-assignments";
import { plan } from "../../../../src/lib/reconcile/plan";
import { fileShareScope } from "../../../../src/lib/reconcile/required-grants";
import { applyToSnapshot, snapshotArbitrary } from "../../support/topology";

const settings = { minAgentVersion: "19.1.0.0" };
const runs = { numRuns: 250 };

describe("plan over random topologies", () => {
  it("applying the plan and planning again gives an empty plan", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const first = plan(snapshot, settings);
        const second = plan(applyToSnapshot(snapshot, first.actions), settings);
        expect(second.actions).toEqual([]);
      }),
      runs,
    );
  });

  it("after a partial apply (some actions fail, their dependants are skipped), planning again gives exactly what did not succeed", () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.infiniteStream(fc.boolean()), (snapshot, failures) => {
        const first = plan(snapshot, settings);
        const succeeded = new Set<string>();
        const fail = failures[Symbol.iterator]();
        for (const action of first.actions) {
          if (action.dependsOn.every((d) => succeeded.has(d)) && fail.next().value !== true) succeeded.add(action.id);
        }
        const done = first.actions.filter((a) => succeeded.has(a.id));
        const second = plan(applyToSnapshot(snapshot, done), settings);
        expect(second.actions.map((a) => a.id).sort()).toEqual(
          first.actions
            .filter((a) => !succeeded.has(a.id))
            .map((a) => a.id)
            .sort(),
        );
      }),
      runs,
    );
  });

  it("is deterministic and every dependency points to an earlier action", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const p = plan(snapshot, settings);
        expect(plan(snapshot, settings)).toEqual(p);
        const index = new Map(p.actions.map((a, i) => [a.id, i]));
        expect(index.size).toBe(p.actions.length);
        p.actions.forEach((a, i) => a.dependsOn.forEach((d) => expect(index.get(d)).toBeLessThan(i)));
      }),
      runs,
    );
  });

  it("never switches a server before all of its own grants, nor sets useIdentity before the service's grants", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const p = plan(snapshot, settings);
        for (const action of p.actions) {
          if (action.kind === "switchServer") {
            const own = p.actions.filter(
              (g) =>
                g.kind === "grantRole" &&
                g.principal.kind === "server" &&
                g.principal.serverIds.includes(action.serverId),
            );
            for (const g of own) expect(action.dependsOn).toContain(g.id);
          }
          if (action.kind === "setUseIdentity") {
            const serviceGrants = p.actions.filter((g) => g.kind === "grantRole" && g.principal.kind === "service");
            for (const g of serviceGrants) expect(action.dependsOn).toContain(g.id);
          }
        }
      }),
      runs,
    );
  });

  it("keeps user-assigned identities when enabling the system-assigned one", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const enable = plan(snapshot, settings).actions.find((a) => a.kind === "enableServiceIdentity");
        if (!enable || enable.kind !== "enableServiceIdentity") return;
        expect(enable.toType.startsWith("SystemAssigned")).toBe(true);
        expect(enable.toType.includes("UserAssigned")).toBe(snapshot.service.identity.type.includes("UserAssigned"));
        expect(enable.userAssignedIdentityIds).toEqual(snapshot.service.identity.userAssignedIdentityIds);
        expect(enable.useIdentity).toBe(snapshot.service.useIdentity);
      }),
      runs,
    );
  });

  it("grants nothing beyond the two roles, the service's and its servers' principals, and the endpoints' scopes", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const p = plan(snapshot, settings);
        const accounts = new Set<string>();
        const shares = new Set<string>();
        for (const g of snapshot.syncGroups) {
          for (const c of g.cloudEndpoints) {
            if (!c.storageAccountResourceId || !c.azureFileShareName) continue;
            accounts.add(c.storageAccountResourceId.toLowerCase());
            shares.add(fileShareScope(c.storageAccountResourceId, c.azureFileShareName).toLowerCase());
          }
        }
        const serverPrincipals = new Set(
          snapshot.servers.flatMap((s) => [s.latestApplicationId, s.applicationId]).filter(Boolean),
        );
        for (const a of p.actions) {
          if (a.kind !== "grantRole") continue;
          if (a.roleDefinitionGuid === ROLE.storageAccountContributor) {
            expect(a.principal.kind).toBe("service");
            expect(accounts.has(a.scope.toLowerCase())).toBe(true);
          } else {
            expect(a.roleDefinitionGuid).toBe(ROLE.storageFileDataPrivilegedContributor);
            expect(shares.has(a.scope.toLowerCase())).toBe(true);
          }
          if (a.principal.kind === "server") expect(serverPrincipals.has(a.principal.principalId)).toBe(true);
          else if (a.principal.principalId) expect(a.principal.principalId).toBe(snapshot.service.identity.principalId);
        }
      }),
      runs,
    );
  });

  it("switches only eligible servers, never ClusterName entries, too-old agents or identity-less servers", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const p = plan(snapshot, settings);
        const switched = new Set(p.actions.flatMap((a) => (a.kind === "switchServer" ? [a.serverId] : [])));
        for (const v of p.servers) expect(switched.has(v.serverId)).toBe(v.state === "Eligible");
      }),
      runs,
    );
  });
});
