import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyModel } from "../../../../../dev/emulator/faults/latency-model";
import { ArmThrottle } from "../../../../../dev/emulator/faults/arm-throttle";

describe("LatencyModel", () => {
  it("answers at once by default", () => {
    expect(new LatencyModel().delayMs(false)).toBe(0);
    expect(new LatencyModel().delayMs(true)).toBe(0);
  });

  it("applies read and write times divided by the time scale, within the jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (readMs, writeMs, jitter, timeScale, r) => {
          const model = new LatencyModel({ readMs, writeMs, jitter, timeScale }, () => r);
          const read = model.delayMs(false);
          expect(read).toBeGreaterThanOrEqual((readMs * (1 - jitter)) / timeScale - 1e-9);
          expect(read).toBeLessThanOrEqual((readMs * (1 + jitter)) / timeScale + 1e-9);
          expect(model.delayMs(true)).toBeLessThanOrEqual((writeMs * (1 + jitter)) / timeScale + 1e-9);
        },
      ),
    );
  });

  it("writes take the read time unless given their own", () => {
    expect(new LatencyModel({ readMs: 50 }).delayMs(true)).toBe(50);
  });

  it("refuses a negative time, a jitter above 1 and a zero time scale, naming them", () => {
    expect(() => new LatencyModel({ readMs: -1 })).toThrow(/readMs/);
    expect(() => new LatencyModel({ jitter: 2 })).toThrow(/jitter/);
    expect(() => new LatencyModel({ timeScale: 0 })).toThrow(/timeScale/);
  });
});

describe("ArmThrottle time scale and deletes", () => {
  const SUB = "11111111-1111-4111-8111-111111111111";

  it("refills k times faster and tells the client ARM's Retry-After divided by k", () => {
    const throttle = new ArmThrottle({ writeBurst: 1, writePerSecond: 10, timeScale: 10 });
    expect(throttle.take(SUB, "write", 0).allowed).toBe(true);
    const refused = throttle.take(SUB, "write", 0);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1, retryAfterMs: 100 });
    expect(throttle.take(SUB, "write", 9).allowed).toBe(false); // 0.9 of a token back
    expect(throttle.take(SUB, "write", 10).allowed).toBe(true); // 10 ms = 100 ARM ms = 1 token at 10/s
    expect(throttle.refused()).toEqual({ read: 0, write: 2, delete: 0 });
  });

  it("sends no retry-after-ms at ARM's own pace", () => {
    const throttle = new ArmThrottle({ writeBurst: 1 });
    throttle.take(SUB, "write", 0);
    expect(throttle.take(SUB, "write", 0).retryAfterMs).toBeUndefined();
  });

  it("counts deletes in their own bucket (ARM: 200 burst, 10 per second)", () => {
    const throttle = new ArmThrottle();
    let deletes = 0;
    while (throttle.take(SUB, "delete", 0).allowed) deletes++;
    expect(deletes).toBe(200);
    expect(throttle.take(SUB, "write", 0).allowed).toBe(true);
  });
});
