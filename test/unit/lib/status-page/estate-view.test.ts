import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unreconciledServices, type EstateFacts } from "../../../../src/lib/status-page/estate-view";
import type { ServiceView } from "../../../../src/lib/status-page/view-types";

const SUB_A = "aaaaaaaa-0000-4000-8000-000000000001";
const SUB_B = "bbbbbbbb-0000-4000-8000-000000000002";
const serviceId = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.StorageSync/storageSyncServices/${name}`;
const row = (id: string) => ({ serviceId: id }) as ServiceView;
const facts = (partial: Partial<EstateFacts>): EstateFacts => ({
  managedScopes: [],
  scopes: [],
  days: [],
  now: new Date(0),
  ...partial,
});

describe("services not reconciled yet", () => {
  it("lists listed services without a status row, scopes never listed and scopes whose listing failed, each with why", () => {
    const a1 = serviceId(SUB_A, "rg1", "sss-1");
    const a2 = serviceId(SUB_A, "rg1", "sss-2");
    const result = unreconciledServices(
      facts({
        managedScopes: [
          `/subscriptions/${SUB_A}`,
          `/subscriptions/${SUB_B}`,
          `/subscriptions/${SUB_B}/resourceGroups/gone`,
        ],
        scopes: [
          { scope: `/subscriptions/${SUB_A}`, listedAt: "2026-01-01T00:00:00Z", serviceIds: [a1, a2.toUpperCase()] },
          {
            scope: `/subscriptions/${SUB_B}/resourceGroups/gone`,
            listedAt: "2026-01-01T00:00:00Z",
            serviceIds: [],
            error: "Resource group 'gone' could not be found.",
          },
        ],
      }),
      [row(a1)],
    );
    expect(result.services).toEqual([
      {
        serviceId: a2.toUpperCase(),
        reason: expect.stringMatching(
          /listed by the sweep of 2026-01-01T00:00:00Z; its first run has not recorded/,
        ) as string,
      },
    ]);
    expect(result.scopes.map((s) => s.serviceId)).toEqual([
      `/subscriptions/${SUB_B}`,
      `/subscriptions/${SUB_B}/resourceGroups/gone`,
    ]);
    expect(result.scopes[0]?.reason).toMatch(/no full sweep has listed this scope yet/);
    expect(result.scopes[1]?.reason).toMatch(/could not list its services: Resource group 'gone' could not be found\./);
  });

  it("property: every listed service in scope is either reconciled or listed once, whatever overlaps the scopes have", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("rg1", "rg2"), fc.integer({ min: 0, max: 5 }), fc.boolean()), {
          maxLength: 12,
        }),
        (items) => {
          const ids = items.map(([rg, n]) => serviceId(SUB_A, rg, `sss-${n}`));
          const reconciled = items.filter(([, , done]) => done).map(([rg, n]) => row(serviceId(SUB_A, rg, `sss-${n}`)));
          const listed = [
            { scope: `/subscriptions/${SUB_A}`, listedAt: "t", serviceIds: ids },
            {
              scope: `/subscriptions/${SUB_A}/resourceGroups/rg1`,
              listedAt: "t",
              serviceIds: ids.filter((i) => i.includes("/rg1/")),
            },
          ];
          const { services } = unreconciledServices(
            facts({ managedScopes: listed.map((s) => s.scope), scopes: listed }),
            reconciled,
          );
          const missing = new Set(services.map((s) => s.serviceId.toLowerCase()));
          expect(missing.size).toBe(services.length);
          for (const id of ids)
            expect(missing.has(id.toLowerCase())).toBe(
              !reconciled.some((r) => r.serviceId.toLowerCase() === id.toLowerCase()),
            );
        },
      ),
    );
  });
});
