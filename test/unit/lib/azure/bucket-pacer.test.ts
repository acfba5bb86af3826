import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArmThrottle } from "../../../../dev/emulator/faults/arm-throttle";
import { BucketPacer, LOW_WATER } from "../../../../src/lib/azure/bucket-pacer";

const SUB = "5ca1e000-0000-4000-8000-000000000001";

interface Outcome {
  /** Time the last request was let through (ms). */
  endMs: number;
  refused: number;
  /** Sent before a 429's Retry-After had passed. */
  earlyAfter429: number;
  delays: number[];
}

/**
 * One client sending `requests` writes one after another through the pacer against the emulator's bucket (ARM's
 * token bucket, Retry-After in whole seconds at time scale 1); each answer comes `latencyMs` after its request.
 * A refused request is sent again, first, as the throttle gate does.
 */
function simulate(requests: number, throttle: ArmThrottle, latencyMs: number, pacer: BucketPacer): Outcome {
  let now = 0;
  let done = 0;
  let refused = 0;
  let earlyAfter429 = 0;
  let notBefore = 0;
  const delays: number[] = [];
  for (let steps = 0; done < requests; steps++) {
    if (steps > 100 * requests) throw new Error("the pacer never let the requests through");
    const delay = pacer.delayMs(now);
    delays.push(delay);
    now += delay;
    if (delay > 0) continue;
    if (now < notBefore) earlyAfter429++;
    pacer.sent(now);
    const decision = throttle.take(SUB, "write", now);
    now += latencyMs;
    if (decision.allowed) {
      done++;
      pacer.answered(now, { status: 200, remaining: decision.remaining }, 0);
    } else {
      refused++;
      const retryAfterMs = decision.retryAfterMs ?? decision.retryAfterSeconds * 1000;
      notBefore = now + retryAfterMs;
      pacer.answered(now, { status: 429, retryAfterMs }, 0);
    }
  }
  return { endMs: now, refused, earlyAfter429, delays };
}

describe("BucketPacer: requests paced at the bucket's refill", () => {
  it("property: uses the bucket at its refill rate with next to no 429, never before Retry-After, never spinning", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 1_500 }),
        fc.integer({ min: 0, max: 80 }),
        fc.constantFrom(1, 2, 4),
        (requests, latencyMs, timeScale) => {
          const throttle = new ArmThrottle({ writeBurst: 200, writePerSecond: 10, timeScale });
          const out = simulate(requests, throttle, latencyMs, new BucketPacer(10));
          // The throttle-bound minimum: the burst, then the refill (at the scaled rate).
          const boundMs = ((requests - 200) / (10 * timeScale)) * 1000;
          expect(out.endMs).toBeLessThanOrEqual(boundMs * 1.1 + 2_000 + requests * latencyMs);
          expect(out.earlyAfter429).toBe(0);
          expect(out.refused).toBeLessThanOrEqual(Math.ceil(requests / 50));
          for (const d of out.delays) expect(d === 0 || (d >= 1 && Number.isFinite(d))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("honours Retry-After: after a 429 nothing goes until it has passed", () => {
    const pacer = new BucketPacer(10);
    pacer.answered(1_000, { status: 429, retryAfterMs: 1_000 }, 0);
    expect(pacer.delayMs(1_000)).toBe(1_000);
    expect(pacer.delayMs(1_999)).toBe(1);
    expect(pacer.delayMs(2_000)).toBe(0);
    pacer.sent(2_000);
    // The one token Retry-After promised is taken; the next waits for the refill (10 per s).
    expect(pacer.delayMs(2_000)).toBe(100);
  });

  it("stays out of the way while ARM reports tokens to spare, and paces once it reports them low", () => {
    const pacer = new BucketPacer(10);
    pacer.answered(0, { status: 200, remaining: LOW_WATER }, 0);
    for (let i = 0; i < 50; i++) {
      expect(pacer.delayMs(0)).toBe(0);
      pacer.sent(0);
    }
    pacer.answered(0, { status: 200, remaining: 2 }, 1);
    // 2 left, 1 of ours still in flight: one more may go now, the next after 100 ms of refill.
    expect(pacer.delayMs(0)).toBe(0);
    pacer.sent(0);
    expect(pacer.delayMs(0)).toBe(100);
  });

  it("learns a faster refill than documented from ARM's reports, and never assumes a slower one", () => {
    const pacer = new BucketPacer(10);
    pacer.answered(0, { status: 200, remaining: 0 }, 0);
    // A second later 40 are left and this client took one more on the way: the bucket refilled 41 per s.
    pacer.answered(1_000, { status: 200, remaining: 40 }, 0);
    expect(pacer.refillPerSecond).toBeCloseTo((10 + 41) / 2);
    const slow = new BucketPacer(10);
    slow.answered(0, { status: 200, remaining: 10 }, 0);
    slow.answered(2_000, { status: 200, remaining: 0 }, 0); // someone else took the refill
    expect(slow.refillPerSecond).toBe(10);
  });

  it("refuses a rate that is not positive", () => {
    expect(() => new BucketPacer(0)).toThrow(/positive/);
  });
});
