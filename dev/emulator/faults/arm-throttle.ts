/**
 * ARM's request throttling: a token bucket per subscription and per kind
 * (reads, writes, deletes). Each request takes one token; tokens refill
 * continuously at the per-second rate up to the burst size. Defaults are ARM's
 * documented per-subscription limits (reads 250 burst / 25 per second, writes
 * 200 / 10, deletes 200 / 10):
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 * Time is passed in so the emulator's simulated clock drives it.
 *
 * `timeScale` compresses time for benchmarks: k makes every bucket refill k
 * times faster (bursts stay, they are counts), and a refusal tells the client
 * to wait ARM's Retry-After divided by k, in a `retry-after-ms` header (the
 * Azure SDK's throttling policy reads it before Retry-After). At 1 (default)
 * no such header is sent: ARM sends whole seconds only.
 */
export interface ArmThrottleOptions {
  readBurst?: number;
  readPerSecond?: number;
  writeBurst?: number;
  writePerSecond?: number;
  deleteBurst?: number;
  deletePerSecond?: number;
  timeScale?: number;
}

export type RequestKind = "read" | "write" | "delete";

export interface ThrottleDecision {
  allowed: boolean;
  /** Whole tokens left after this request (what the x-ms-ratelimit-remaining-* header reports). */
  remaining: number;
  /** When refused: seconds until one token is back, in ARM's (unscaled) seconds (ARM's Retry-After). 0 when allowed. */
  retryAfterSeconds: number;
  /** When refused and time is scaled: the real wait, Retry-After / timeScale. */
  retryAfterMs?: number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export class ArmThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refusedByKind: Record<RequestKind, number> = { read: 0, write: 0, delete: 0 };
  /** Requests let through, by subscription (lower case) and kind: what each subscription's buckets served. */
  private readonly grantedBySubscription = new Map<string, Record<RequestKind, number>>();
  readonly readBurst: number;
  readonly readPerSecond: number;
  readonly writeBurst: number;
  readonly writePerSecond: number;
  readonly deleteBurst: number;
  readonly deletePerSecond: number;
  readonly timeScale: number;

  constructor(options: ArmThrottleOptions = {}) {
    this.readBurst = positive(options.readBurst ?? 250, "readBurst");
    this.readPerSecond = positive(options.readPerSecond ?? 25, "readPerSecond");
    this.writeBurst = positive(options.writeBurst ?? 200, "writeBurst");
    this.writePerSecond = positive(options.writePerSecond ?? 10, "writePerSecond");
    this.deleteBurst = positive(options.deleteBurst ?? 200, "deleteBurst");
    this.deletePerSecond = positive(options.deletePerSecond ?? 10, "deletePerSecond");
    this.timeScale = positive(options.timeScale ?? 1, "timeScale");
  }

  /** Burst and (unscaled) per-second rate of one kind's bucket. */
  limits(kind: RequestKind): { burst: number; perSecond: number } {
    if (kind === "delete") return { burst: this.deleteBurst, perSecond: this.deletePerSecond };
    if (kind === "write") return { burst: this.writeBurst, perSecond: this.writePerSecond };
    return { burst: this.readBurst, perSecond: this.readPerSecond };
  }

  take(subscriptionId: string, kindOrIsWrite: RequestKind | boolean, nowMs: number): ThrottleDecision {
    const kind: RequestKind = typeof kindOrIsWrite === "boolean" ? (kindOrIsWrite ? "write" : "read") : kindOrIsWrite;
    const { burst, perSecond } = this.limits(kind);
    const key = `${subscriptionId.toLowerCase()}|${kind}`;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAtMs: nowMs };
    // A clock that moves backwards (simulated time reset) refills nothing rather than draining.
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * perSecond * this.timeScale) / 1000);
    bucket.updatedAtMs = Math.max(bucket.updatedAtMs, nowMs);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      const sub = subscriptionId.toLowerCase();
      const granted = this.grantedBySubscription.get(sub) ?? { read: 0, write: 0, delete: 0 };
      granted[kind] += 1;
      this.grantedBySubscription.set(sub, granted);
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    this.refusedByKind[kind] += 1;
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    return {
      allowed: false,
      remaining: 0,
      retryAfterSeconds,
      ...(this.timeScale === 1 ? {} : { retryAfterMs: Math.ceil((retryAfterSeconds * 1000) / this.timeScale) }),
    };
  }

  /** Requests refused with 429 since the last reset, by kind. */
  refused(): Record<RequestKind, number> {
    return { ...this.refusedByKind };
  }

  /** Requests let through since the last reset, by subscription (lower case) and kind. */
  granted(): Map<string, Record<RequestKind, number>> {
    return new Map([...this.grantedBySubscription].map(([sub, counts]) => [sub, { ...counts }]));
  }

  /** Forgets all buckets (every subscription starts full again) and the refusal and grant counts. */
  reset(): void {
    this.buckets.clear();
    this.grantedBySubscription.clear();
    this.refusedByKind.read = 0;
    this.refusedByKind.write = 0;
    this.refusedByKind.delete = 0;
  }
}

/** The header ARM sends on every response with what is left of the caller's budget. */
export function rateLimitHeader(
  kindOrIsWrite: RequestKind | boolean,
  remaining: number,
): { name: string; value: string } {
  const kind: RequestKind = typeof kindOrIsWrite === "boolean" ? (kindOrIsWrite ? "write" : "read") : kindOrIsWrite;
  return {
    name: `x-ms-ratelimit-remaining-subscription-${kind}s`,
    value: String(Math.max(0, Math.floor(remaining))),
  };
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`ArmThrottle: ${name} must be a positive number, got ${value}`);
  return value;
}
