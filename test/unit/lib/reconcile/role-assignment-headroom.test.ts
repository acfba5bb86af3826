import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLE } from "../../../../src/lib/azure/role-assignments";
import type { GrantRoleAction, PlannedAction } from "../../../../src/lib/reconcile/actions";
import { refuseGrantsBeyondQuota, quotaRemedy } from "../../../../src/lib/reconcile/role-assignment-headroom";

const SUBS = ["aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"];
const share = (sub: string, n: number) =>
  `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/fileServices/default/fileshares/s${n}`;

function grant(id: string, sub: string, n: number, server?: string): GrantRoleAction {
  return {
    id,
    kind: "grantRole",
    dependsOn: [],
    description: id,
    scope: share(sub, n),
    storageAccountId: share(sub, n).split("/fileServices")[0] as string,
    roleDefinitionGuid: ROLE.storageFileDataPrivilegedContributor,
    roleName: "Storage File Data Privileged Contributor",
    principal: server
      ? { kind: "server", principalId: `p-${server}`, serverIds: [server] }
      : { kind: "service", principalId: "svc" },
  };
}

const quota = (sub: string, count: number, limit: number) => ({
  subscriptionId: sub,
  count,
  limit,
  orphaned: 3,
  productStale: 1,
});

describe("refuseGrantsBeyondQuota", () => {
  it("keeps the service's grants first, then whole servers in plan order; the rest is refused with the subscription's count", () => {
    const actions: PlannedAction[] = [
      grant("s1", SUBS[0]!, 1),
      grant("a1", SUBS[0]!, 1, "a"),
      grant("a2", SUBS[0]!, 2, "a"),
      grant("b1", SUBS[0]!, 1, "b"),
      grant("s2", SUBS[0]!, 2),
    ];
    const refused = refuseGrantsBeyondQuota(actions, new Map([[SUBS[0]!, quota(SUBS[0]!, 3996, 4000)]]));
    // Room 4: both service grants (2), then server a (2); server b does not fit.
    expect([...refused.keys()]).toEqual(["b1"]);
    expect(refused.get("b1")?.error.code).toBe("RoleAssignmentLimitExceeded");
    expect(refused.get("b1")?.remedy).toBe(quotaRemedy(quota(SUBS[0]!, 3996, 4000)));
    expect(refused.get("b1")?.remedy).toContain("holds 3,996 of 4,000");
  });

  it("refuses nothing in a subscription whose count is unknown", () => {
    expect(
      refuseGrantsBeyondQuota([grant("a1", SUBS[1]!, 1, "a")], new Map([[SUBS[0]!, quota(SUBS[0]!, 4000, 4000)]])).size,
    ).toBe(0);
  });

  it("property: what is kept fits every subscription's room, and a server is kept or refused whole", () => {
    const arb = fc.record({
      grants: fc.array(
        fc.record({
          sub: fc.integer({ min: 0, max: 1 }),
          share: fc.integer({ min: 0, max: 5 }),
          server: fc.option(fc.constantFrom("a", "b", "c", "d")),
        }),
        {
          maxLength: 25,
        },
      ),
      room: fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 })),
    });
    fc.assert(
      fc.property(arb, ({ grants, room }) => {
        const actions = grants.map((g, i) => grant(`g${i}`, SUBS[g.sub]!, g.share, g.server ?? undefined));
        const quotas = new Map(SUBS.map((s, i) => [s, quota(s, 4000 - room[i]!, 4000)]));
        const refused = refuseGrantsBeyondQuota(actions, quotas);
        SUBS.forEach((sub, i) => {
          const kept = actions.filter((a) => a.kind === "grantRole" && a.scope.includes(sub) && !refused.has(a.id));
          expect(kept.length).toBeLessThanOrEqual(room[i]!);
        });
        for (const server of ["a", "b", "c", "d"]) {
          const own = actions.filter(
            (a) => a.kind === "grantRole" && a.principal.kind === "server" && a.principal.serverIds[0] === server,
          );
          const states = new Set(own.map((a) => refused.has(a.id)));
          expect(states.size).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
