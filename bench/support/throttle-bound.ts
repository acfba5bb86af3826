import type { ArmThrottle } from "../../dev/emulator/faults/arm-throttle";

/** One subscription's share of a run: what its buckets served, and the time that needs at their rates. */
export interface SubscriptionBound {
  subscriptionId: string;
  reads: number;
  writes: number;
  /**
   * Seconds (real, at the throttle's time scale) the reads and the writes need through their buckets after the burst,
   * whichever is longer.
   */
  seconds: number;
}

/**
 * The throttle-bound minimum of a run: ARM's buckets are per subscription, so
 * subscriptions progress in parallel and the run can end no sooner than its
 * busiest subscription's requests drain through that subscription's own
 * buckets (burst first, then the refill rate).
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 */
export function throttleBounds(throttle: ArmThrottle): SubscriptionBound[] {
  const k = throttle.timeScale;
  const bounds: SubscriptionBound[] = [];
  for (const [subscriptionId, c] of throttle.granted()) {
    const writes = c.write + c.delete;
    const readSeconds = Math.max(0, c.read - throttle.readBurst) / (throttle.readPerSecond * k);
    const writeSeconds = Math.max(0, c.write - throttle.writeBurst) / (throttle.writePerSecond * k);
    const deleteSeconds = Math.max(0, c.delete - throttle.deleteBurst) / (throttle.deletePerSecond * k);
    bounds.push({ subscriptionId, reads: c.read, writes, seconds: Math.max(readSeconds, writeSeconds, deleteSeconds) });
  }
  return bounds.sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
}

export function largestBound(bounds: SubscriptionBound[]): number {
  return Math.max(0, ...bounds.map((b) => b.seconds));
}
