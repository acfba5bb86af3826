import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ThrottleWaitMeter } from "../../../../src/lib/azure/throttle-gate";

describe("throttle wait meter", () => {
  it("counts wall-clock time with at least one request waiting, overlapping waits once", () => {
    const m = new ThrottleWaitMeter();
    m.begin(100);
    m.begin(150);
    m.end(200);
    expect(m.waitedMs(250)).toBe(150); // still one waiting since 100
    m.end(300);
    m.begin(1_000);
    m.end(1_050);
    expect(m.waitedMs(5_000)).toBe(250);
  });

  it("property: never more than the time elapsed, whatever the overlaps", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1_000), fc.nat(1_000))), (waits) => {
        const events = waits.flatMap(([start, length]) => [
          { t: start, begin: true },
          { t: start + length, begin: false },
        ]);
        events.sort((a, b) => a.t - b.t || (a.begin === b.begin ? 0 : a.begin ? -1 : 1));
        const m = new ThrottleWaitMeter();
        for (const e of events) (e.begin ? m.begin : m.end).call(m, e.t);
        expect(m.waitedMs(2_000)).toBeLessThanOrEqual(2_000);
        expect(m.waitedMs(2_000)).toBeGreaterThanOrEqual(Math.max(0, ...waits.map(([, l]) => l)));
      }),
    );
  });
});
