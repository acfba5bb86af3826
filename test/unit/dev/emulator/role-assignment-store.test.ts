import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idKey } from "../../../../dev/emulator/resource-id";
import { RoleAssignmentStore } from "../../../../dev/emulator/role-assignment-store";
import type { RoleAssignmentRecord } from "../../../../dev/emulator/state";

const SUBSCRIPTIONS = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"];
const PRINCIPALS = ["aaaa0000-0000-4000-8000-000000000001", "BBBB0000-0000-4000-8000-000000000002"];
const SCOPES = [
  "/",
  "/providers/Microsoft.Management/managementGroups/mg",
  ...SUBSCRIPTIONS.flatMap((s) => [
    `/subscriptions/${s}`,
    `/subscriptions/${s.toUpperCase()}/resourceGroups/RG`,
    `/subscriptions/${s}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa`,
  ]),
];

function record(name: string, scope: string, principalId: string): RoleAssignmentRecord {
  return {
    id: `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope,
    roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/r",
    principalId,
    principalType: "ServicePrincipal",
    createdOn: "",
    updatedOn: "",
    createdBy: "",
    updatedBy: "",
  };
}

const operation = fc.oneof(
  fc.record({
    op: fc.constant("set" as const),
    name: fc.constantFrom("n1", "n2", "n3", "n4"),
    scope: fc.constantFrom(...SCOPES),
    principal: fc.constantFrom(...PRINCIPALS),
    /** Set over what the key holds (another principal, say) rather than delete it first. */
    inPlace: fc.boolean(),
  }),
  fc.record({ op: fc.constant("delete" as const), name: fc.constantFrom("n1", "n2", "n3", "n4") }),
  fc.record({ op: fc.constant("clear" as const) }),
  fc.record({ op: fc.constant("mutateInPlace" as const), principal: fc.constantFrom(...PRINCIPALS) }),
);

describe("the emulator's role-assignment store", () => {
  it("answers by principal and counts per subscription exactly as a scan of every assignment would", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const store = new RoleAssignmentStore();
        // Names are unique per store here (as ARM's GUID names are), so a name finds its key.
        const keyOf = new Map<string, string>();
        for (const o of operations) {
          if (o.op === "set") {
            const r = record(o.name, o.scope, o.principal);
            const before = keyOf.get(o.name);
            if (before && !o.inPlace) store.delete(before);
            keyOf.set(o.name, idKey(r.id));
            store.set(idKey(r.id), r);
          } else if (o.op === "delete") {
            const key = keyOf.get(o.name);
            if (key) store.delete(key);
            keyOf.delete(o.name);
          } else if (o.op === "clear") {
            store.clear();
            keyOf.clear();
          } else {
            // What a state restore does: records keep their identity and get other values, then reindex.
            for (const r of store.values()) r.principalId = o.principal;
            store.reindex();
          }
        }
        const all = [...store.values()];
        for (const p of PRINCIPALS) {
          const scanned = all.filter((a) => a.principalId.toLowerCase() === p.toLowerCase());
          expect(store.ofPrincipal(p)).toEqual(scanned);
          expect(store.ofPrincipal(p.toUpperCase())).toEqual(scanned);
        }
        expect(store.scoped().map((s) => s.record)).toEqual(all);
        for (const s of store.scoped()) expect(s.scopeKey).toBe(idKey(s.record.scope));
        for (const sub of SUBSCRIPTIONS) {
          const prefix = `/subscriptions/${sub}`;
          const scanned = all.filter((a) => idKey(a.scope) === prefix || idKey(a.scope).startsWith(`${prefix}/`));
          expect(store.countInSubscription(sub.toUpperCase())).toBe(scanned.length);
        }
      }),
    );
  });
});
