import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidTableKey, resourceKey } from "../../../../src/lib/tables/keys";
import { fromJsonColumns, toJsonColumns } from "../../../../src/lib/tables/json-columns";
import { isRunId, newRunId, parseRunId } from "../../../../src/lib/tables/run-id";
import { dueBucket } from "../../../../src/lib/store/due-index";

const serviceId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";

describe("resourceKey", () => {
  it("is the same for ids that differ only in case or a trailing slash, and is a valid table key", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9/._()-]{1,300}$/), (id) => {
        const key = resourceKey(id);
        expect(isValidTableKey(key)).toBe(true);
        expect(resourceKey(` ${id.toUpperCase()}//`)).toBe(resourceKey(id.toLowerCase()));
      }),
    );
  });

  it("differs for different services", () => {
    expect(resourceKey(serviceId)).not.toBe(resourceKey(serviceId + "2"));
  });

  it("refuses characters the Table service forbids", () => {
    for (const bad of ["a/b", "a\\b", "a#b", "a?b", "a\u0001b", ""]) expect(isValidTableKey(bad)).toBe(false);
  });
});

describe("JSON columns", () => {
  it("round-trips any JSON value, however large, through properties of at most 32 K characters", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 70_000 }), (value, padding) => {
        const wrapped = { value, pad: "x".repeat(padding) };
        const columns = toJsonColumns("plan", wrapped);
        for (const v of Object.values(columns)) if (typeof v === "string") expect(v.length).toBeLessThanOrEqual(32_000);
        expect(fromJsonColumns(columns, "plan")).toEqual(JSON.parse(JSON.stringify(wrapped)));
      }),
      { numRuns: 60 },
    );
  });

  it("replaces a value too large for one entity by a marker instead of failing the write", () => {
    const columns = toJsonColumns("plan", "y".repeat(400_000));
    expect(fromJsonColumns(columns, "plan")).toEqual({ truncated: true, originalLength: 400_002 });
  });
});

describe("run ids", () => {
  it("name the service partition and sort newer runs first", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (t, dt) => {
        const older = newRunId(serviceId, new Date(t));
        const newer = newRunId(serviceId, new Date(t + dt));
        expect(isRunId(older)).toBe(true);
        expect(parseRunId(older)?.partitionKey).toBe(resourceKey(serviceId));
        expect((parseRunId(newer)?.rowKey ?? "") < (parseRunId(older)?.rowKey ?? "")).toBe(true);
      }),
    );
  });

  it("rejects strings that are not run ids", () => {
    for (const bad of [
      "",
      "x",
      "../../etc",
      `${resourceKey(serviceId)}-123-abcd`,
      `${resourceKey(serviceId)}-0000000000000-abcdefgh`,
    ]) {
      expect(parseRunId(bad)).toBeUndefined();
    }
  });
});

describe("due buckets", () => {
  it("order the same way as the times they hold (so 'PartitionKey le now' finds everything due)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (a, b) => {
          const [ba, bb] = [dueBucket(new Date(a)), dueBucket(new Date(b))];
          if (a <= b) expect(ba <= bb).toBe(true);
          expect(isValidTableKey(ba)).toBe(true);
        },
      ),
    );
  });
});
