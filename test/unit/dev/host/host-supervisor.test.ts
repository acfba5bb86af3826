import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RESTART_DELAY_MS, restartDelayMs } from "../../../../dev/host/host-supervisor";

describe("restartDelayMs (back-off of a host that crashes in a loop)", () => {
  it("restarts at once after a first crash, then doubles from 1 s up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(restartDelayMs)).toEqual([
      0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it("never shrinks as crashes repeat and never exceeds the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        (n) => restartDelayMs(n + 1) >= restartDelayMs(n) && restartDelayMs(n) <= MAX_RESTART_DELAY_MS,
      ),
    );
  });
});
