import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLimiter, mapWithConcurrency } from "../../../../src/lib/reconcile/concurrency";

describe("bounded concurrency", () => {
  it("never runs more than the limit at once, runs everything, keeps order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(3), { maxLength: 30 }),
        async (limit, delays) => {
          let active = 0;
          let peak = 0;
          const results = await mapWithConcurrency(delays, limit, async (delay, i) => {
            active += 1;
            peak = Math.max(peak, active);
            await new Promise((r) => setTimeout(r, delay));
            active -= 1;
            return i;
          });
          expect(results).toEqual(delays.map((_, i) => i));
          expect(peak).toBeLessThanOrEqual(limit);
          if (delays.length > 0) expect(peak).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("releases the slot when a task fails", async () => {
    const run = createLimiter(1);
    await expect(run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    await expect(run(() => Promise.resolve(2))).resolves.toBe(2);
    expect(() => createLimiter(0)).toThrow("positive integer");
  });
});
