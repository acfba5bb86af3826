import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexedRecords } from "../../../../dev/emulator/indexed-records";

interface Rec {
  group: string;
}

describe("IndexedRecords", () => {
  it("property: each index key lists exactly the records a scan finds, in the Map's order", () => {
    const op = fc.oneof(
      fc.record({
        op: fc.constant("set" as const),
        key: fc.constantFrom("a", "b", "c", "d"),
        group: fc.constantFrom("x", "y"),
      }),
      fc.record({ op: fc.constant("delete" as const), key: fc.constantFrom("a", "b", "c", "d") }),
      fc.record({ op: fc.constant("clear" as const) }),
      fc.record({ op: fc.constant("moveInPlace" as const), group: fc.constantFrom("x", "y") }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const records = new IndexedRecords<Rec>((r) => r.group);
        for (const o of ops) {
          if (o.op === "set") records.set(o.key, { group: o.group });
          else if (o.op === "delete") records.delete(o.key);
          else if (o.op === "clear") records.clear();
          else {
            // What a state restore does: the same objects get other values, then the store is reindexed.
            for (const r of records.values()) r.group = o.group;
            records.reindex();
          }
        }
        for (const g of ["x", "y"])
          expect(records.withIndex(g)).toEqual([...records.values()].filter((r) => r.group === g));
      }),
    );
  });
});
