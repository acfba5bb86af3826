import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArmThrottle, rateLimitHeader } from "../../../../../dev/emulator/faults/arm-throttle";

const SUB_A = "aaaaaaaa-0000-0000-0000-000000000001";
const SUB_B = "bbbbbbbb-0000-0000-0000-000000000002";

describe("ArmThrottle", () => {
  it("uses ARM's limits by default: 250 reads and 200 writes in a burst", () => {
    const throttle = new ArmThrottle();
    let reads = 0;
    while (throttle.take(SUB_A, false, 0).allowed) reads++;
    let writes = 0;
    while (throttle.take(SUB_A, true, 0).allowed) writes++;
    expect([reads, writes]).toEqual([250, 200]);
  });

  it("counts remaining down and reports Retry-After once empty", () => {
    const throttle = new ArmThrottle({ writeBurst: 3, writePerSecond: 0.5 });
    expect(throttle.take(SUB_A, true, 0)).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
    throttle.take(SUB_A, true, 0);
    expect(throttle.take(SUB_A, true, 0).remaining).toBe(0);
    expect(throttle.take(SUB_A, true, 0)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 2 });
    expect(throttle.take(SUB_A, true, 2000).allowed).toBe(true);
  });

  it("keeps separate buckets per subscription and per kind", () => {
    const throttle = new ArmThrottle({ readBurst: 1, writeBurst: 1, readPerSecond: 1, writePerSecond: 1 });
    expect(throttle.take(SUB_A, false, 0).allowed).toBe(true);
    expect(throttle.take(SUB_A, false, 0).allowed).toBe(false);
    expect(throttle.take(SUB_A, true, 0).allowed).toBe(true);
    expect(throttle.take(SUB_B, false, 0).allowed).toBe(true);
    expect(throttle.take(SUB_A.toUpperCase(), false, 0).allowed).toBe(false);
    throttle.reset();
    expect(throttle.take(SUB_A, false, 0).allowed).toBe(true);
  });

  it("does not refill when the clock goes backwards", () => {
    const throttle = new ArmThrottle({ readBurst: 1, readPerSecond: 1 });
    throttle.take(SUB_A, false, 10_000);
    expect(throttle.take(SUB_A, false, 0).allowed).toBe(false);
  });

  it("refuses bad limits with a clear error", () => {
    expect(() => new ArmThrottle({ readPerSecond: 0 })).toThrow(/readPerSecond/);
  });

  it("property: in any window, no more than burst + rate × window requests pass", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }),
        (burst, perSecond, gaps) => {
          const throttle = new ArmThrottle({ writeBurst: burst, writePerSecond: perSecond });
          const times: number[] = [];
          let now = 0;
          const allowedAt: number[] = [];
          for (const gap of gaps) {
            now += gap;
            times.push(now);
            if (throttle.take(SUB_A, true, now).allowed) allowedAt.push(now);
          }
          for (let i = 0; i < allowedAt.length; i++) {
            for (let j = i; j < allowedAt.length; j++) {
              const windowMs = allowedAt[j]! - allowedAt[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(burst + Math.floor((windowMs * perSecond) / 1000) + 1e-9);
            }
          }
        },
      ),
    );
  });

  it("property: under constant pressure the long-run rate equals the refill rate", () => {
    fc.assert(
      // burst ≥ 2: with a bucket of one token, refill beyond the cap between two polls is lost by design.
      fc.property(
        fc.integer({ min: 2, max: 50 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 20 }),
        (burst, perSecond, seconds) => {
          const throttle = new ArmThrottle({ readBurst: burst, readPerSecond: perSecond });
          let allowed = 0;
          // Ask far more often than the rate allows, for `seconds` seconds.
          for (let t = 0; t <= seconds * 1000; t += 5) if (throttle.take(SUB_A, false, t).allowed) allowed++;
          expect(allowed).toBeLessThanOrEqual(burst + perSecond * seconds);
          // Polling every 5 ms, floating-point refill can land a token one poll late at each end.
          expect(allowed).toBeGreaterThanOrEqual(burst + perSecond * seconds - 2);
        },
      ),
    );
  });

  it("property: a refused request's Retry-After is enough to be allowed again", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        (burst, perSecond) => {
          const throttle = new ArmThrottle({ writeBurst: burst, writePerSecond: perSecond });
          let decision = throttle.take(SUB_A, true, 0);
          while (decision.allowed) decision = throttle.take(SUB_A, true, 0);
          expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(throttle.take(SUB_A, true, decision.retryAfterSeconds * 1000).allowed).toBe(true);
        },
      ),
    );
  });

  it("counts what each subscription's buckets let through, refusals not included, until reset", () => {
    const throttle = new ArmThrottle({ writeBurst: 3, writePerSecond: 1 });
    for (let i = 0; i < 5; i++) throttle.take(SUB_A, "write", 0);
    throttle.take(SUB_A.toUpperCase(), "read", 0);
    throttle.take(SUB_B, "delete", 0);
    expect(throttle.granted().get(SUB_A)).toEqual({ read: 1, write: 3, delete: 0 });
    expect(throttle.granted().get(SUB_B)).toEqual({ read: 0, write: 0, delete: 1 });
    throttle.reset();
    expect(throttle.granted().size).toBe(0);
  });

  it("names the header ARM uses for reads and writes", () => {
    expect(rateLimitHeader(false, 12.7)).toEqual({ name: "x-ms-ratelimit-remaining-subscription-reads", value: "12" });
    expect(rateLimitHeader(true, -1)).toEqual({ name: "x-ms-ratelimit-remaining-subscription-writes", value: "0" });
  });
});
