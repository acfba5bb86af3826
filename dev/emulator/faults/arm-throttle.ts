/**
 * ARM's request throttling: a token bucket per subscription and per kind
 * (reads, writes). Each request takes one token; tokens refill continuously
 * at the per-second rate up to the burst size. Defaults are ARM's documented
 * limits (reads 250 burst / 25 per second, writes 200 / 10 per second).
 * Time is passed in so the emulator's simulated clock drives it.
 */
export interface ArmThrottleOptions {
  readBurst?: number;
  readPerSecond?: number;
  writeBurst?: number;
  writePerSecond?: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  /** Whole tokens left after this request (what the x-ms-ratelimit-remaining-* header reports). */
  remaining: number;
  /** When refused: seconds until one token is back (ARM's Retry-After). 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export class ArmThrottle {
  private readonly buckets = new Map<string, Bucket>();
  readonly readBurst: number;
  readonly readPerSecond: number;
  readonly writeBurst: number;
  readonly writePerSecond: number;

  constructor(options: ArmThrottleOptions = {}) {
    this.readBurst = positive(options.readBurst ?? 250, "readBurst");
    this.readPerSecond = positive(options.readPerSecond ?? 25, "readPerSecond");
    this.writeBurst = positive(options.writeBurst ?? 200, "writeBurst");
    this.writePerSecond = positive(options.writePerSecond ?? 10, "writePerSecond");
  }

  take(subscriptionId: string, isWrite: boolean, nowMs: number): ThrottleDecision {
    const burst = isWrite ? this.writeBurst : this.readBurst;
    const perSecond = isWrite ? this.writePerSecond : this.readPerSecond;
    const key = `${subscriptionId.toLowerCase()}|${isWrite ? "w" : "r"}`;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAtMs: nowMs };
    // A clock that moves backwards (simulated time reset) refills nothing rather than draining.
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * perSecond) / 1000);
    bucket.updatedAtMs = Math.max(bucket.updatedAtMs, nowMs);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }

  /** Forgets all buckets (every subscription starts full again). */
  reset(): void {
    this.buckets.clear();
  }
}

/** The header ARM sends on every response with what is left of the caller's budget. */
export function rateLimitHeader(isWrite: boolean, remaining: number): { name: string; value: string } {
  return {
    name: isWrite ? "x-ms-ratelimit-remaining-subscription-writes" : "x-ms-ratelimit-remaining-subscription-reads",
    value: String(Math.max(0, Math.floor(remaining))),
  };
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`ArmThrottle: ${name} must be a positive number, got ${value}`);
  return value;
}
