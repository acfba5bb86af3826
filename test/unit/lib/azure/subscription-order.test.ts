import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roundRobinBySubscription } from "../../../../src/lib/azure/subscription-order";

const sub = (k: number) => `${k.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
const id = (k: number, n: number) =>
  `/subscriptions/${sub(k)}/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/s${n}`;

describe("work order", () => {
  it("starts services round-robin over their subscriptions, each subscription's in listing order", () => {
    const ids = [id(1, 0), id(1, 1), id(1, 2), id(2, 0), id(3, 0), id(3, 1)];
    expect(roundRobinBySubscription(ids)).toEqual([0, 3, 4, 1, 5, 2]);
  });

  it("property: a permutation in which any k first services span min(k, subscriptions) subscriptions when all have as many", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 15 }), (subscriptions, perSubscription) => {
        const ids = Array.from({ length: subscriptions * perSubscription }, (_, i) =>
          id(Math.floor(i / perSubscription), i),
        );
        const order = roundRobinBySubscription(ids);
        expect([...order].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
        for (let k = 1; k <= order.length; k++) {
          const spanned = new Set(order.slice(0, k).map((i) => Math.floor(i / perSubscription)));
          expect(spanned.size).toBe(Math.min(k, subscriptions));
        }
      }),
    );
  });
});
