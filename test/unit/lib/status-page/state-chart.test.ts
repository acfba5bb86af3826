import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { axisMax, spreadLabels } from "../../../../src/lib/status-page/state-chart";

describe("state chart geometry", () => {
  it("property: the axis top is at or above the largest value, and less than ten times it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (v) => {
        const top = axisMax(v);
        expect(top).toBeGreaterThanOrEqual(v);
        if (v > 5) expect(top).toBeLessThan(v * 10);
      }),
    );
    expect(axisMax(12)).toBe(25);
    expect(axisMax(9)).toBe(10);
    expect(axisMax(3360)).toBe(5000);
  });

  it("property: spread labels keep their order, never move up, and are at least the gap apart", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 8 }), (ys) => {
        const out = spreadLabels(ys, 13);
        out.forEach((y, i) => expect(y).toBeGreaterThanOrEqual(ys[i] ?? 0));
        const sorted = [...out].sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++)
          expect((sorted[i] ?? 0) - (sorted[i - 1] ?? 0)).toBeGreaterThanOrEqual(13);
      }),
    );
  });
});
