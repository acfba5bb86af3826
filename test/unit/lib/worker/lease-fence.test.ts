import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LeaseFence, LeaseLostError } from "../../../../src/lib/worker/lease-fence";

const DURATION = 30_000;
const lease = (expiresAtMs: number) => ({
  serviceId: "/subscriptions/s/x",
  owner: "w",
  expiresAt: new Date(expiresAtMs),
  etag: "e",
  generation: 3,
});

describe("LeaseFence", () => {
  it("lets its holder write only while more than a third of the lease is left by the holder's clock", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10 * DURATION, max: 2 * DURATION }), (leftMs) => {
        const now = 1_000_000_000;
        const fence = new LeaseFence(lease(now + leftMs), DURATION, () => new Date(now));
        if (leftMs > DURATION / 3) expect(() => fence.check()).not.toThrow();
        else expect(() => fence.check()).toThrow(LeaseLostError);
      }),
    );
  });

  it("stops for good once a renewal found the lease taken, and a renewal moves the expiry on otherwise", () => {
    let now = 0;
    const fence = new LeaseFence(lease(DURATION), DURATION, () => new Date(now));
    now = DURATION; // paused past the lease
    expect(fence.problem()).toMatch(/expired .* by this worker's clock/);
    fence.renewed(lease(now + DURATION)); // nobody took it: the renewal under the same ETag succeeded
    expect(fence.problem()).toBeUndefined();
    fence.lost("a renewal found it expired and taken over, or gone");
    fence.renewed(lease(now + DURATION));
    expect(() => fence.check()).toThrow(/generation 3\) was lost: a renewal found it expired and taken over/);
  });
});
