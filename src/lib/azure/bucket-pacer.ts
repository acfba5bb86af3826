/**
 * One ARM token bucket (a subscription's reads, writes or deletes) as a client
 * sees it: ARM reports the tokens left after each request
 * (x-ms-ratelimit-remaining-subscription-*), and the bucket refills at a steady
 * rate, documented per subscription and region as 25 reads, 10 writes and 10
 * deletes per second:
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 *
 * While ARM reports the bucket low, the pacer keeps an estimate of the tokens
 * left (the last report, less what was sent since, plus the refill since) and
 * lets a request go only when the estimate holds a whole token: requests go
 * out at the refill rate instead of running the bucket dry, taking 429s and
 * then waiting out a Retry-After that ARM gives in whole seconds. A 429 still
 * wins: nothing goes before its Retry-After. The refill rate is learnt from
 * the reports (never below the documented rate), so a faster bucket is not
 * under-used; a bucket others drain shows in the reports, which correct the
 * estimate with every answer.
 */

/** Remaining tokens under which requests are paced. */
export const LOW_WATER = 20;
/** Reports at least this far apart give a refill rate (closer ones are mostly noise). */
const RATE_WINDOW_MS = 1000;
/** A refill observed this many times the documented one is taken as the bucket's (the emulator's time scale). */
const FASTER = 1.5;

export interface BucketAnswer {
  status: number;
  /** Tokens ARM says are left, when it said. */
  remaining?: number;
  /** A 429's Retry-After, in ms. */
  retryAfterMs?: number;
}

export class BucketPacer {
  private paced = false;
  /** Estimated tokens at `at` (ms). */
  private tokens = 0;
  private at = 0;
  /** Nothing goes before this (a 429's Retry-After). */
  private resumeAt = 0;
  private readonly documentedPerMs: number;
  private perMs: number;
  /** The last report used for the rate, and the successes answered since. */
  private sample: { at: number; remaining: number; taken: number } | undefined;

  /**
   * `paceAtRefill: false` waits out Retry-After only, sending freely until ARM refuses (the gate's behaviour before
   * pacing; kept to measure pacing against).
   */
  constructor(
    refillPerSecond: number,
    private readonly options: { paceAtRefill?: boolean } = {},
  ) {
    if (!(refillPerSecond > 0)) throw new Error(`refill rate must be positive, got ${refillPerSecond}`);
    this.documentedPerMs = refillPerSecond / 1000;
    this.perMs = this.documentedPerMs;
  }

  /** Refill per second the pacer currently assumes. */
  get refillPerSecond(): number {
    return this.perMs * 1000;
  }

  /** Milliseconds until the next request may go (0: now). Always a finite, positive wait when not 0. */
  delayMs(now: number): number {
    if (!this.paced) return 0;
    if (now < this.resumeAt) return this.resumeAt - now;
    if (this.options.paceAtRefill === false) return 0;
    const tokens = this.tokensAt(now);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perMs));
  }

  /** A request goes now: it takes a token of the estimate. */
  sent(now: number): void {
    if (!this.paced) return;
    this.tokens = this.tokensAt(now) - 1;
    this.at = now;
  }

  /**
   * ARM answered a request. `stillInFlight`: others sent before this answer came, which the report may not
   * count yet, so they are taken off it.
   */
  answered(now: number, answer: BucketAnswer, stillInFlight: number): void {
    if (answer.status === 429) {
      this.paced = true;
      this.resumeAt = Math.max(this.resumeAt, now + Math.max(0, answer.retryAfterMs ?? 1000));
      // Retry-After is when ARM has a token again: count on that one only; the next report tells the rest.
      this.tokens = 1;
      this.at = this.resumeAt;
      this.sample = undefined;
      return;
    }
    if (answer.remaining === undefined || !Number.isFinite(answer.remaining)) return;
    this.learnRate(now, answer.remaining);
    this.paced = answer.remaining < LOW_WATER;
    this.tokens = answer.remaining - stillInFlight;
    this.at = Math.max(now, this.resumeAt);
  }

  private learnRate(now: number, remaining: number): void {
    const sample = this.sample;
    if (sample) sample.taken += 1;
    if (!sample || now - sample.at < RATE_WINDOW_MS) {
      if (!sample) this.sample = { at: now, remaining, taken: 0 };
      return;
    }
    // What came back in the window: the change in what is left plus what this client took. Others' use of the
    // bucket lowers it, and a full bucket refills nothing, so it only ever raises the documented rate.
    const observed = (remaining - sample.remaining + sample.taken) / (now - sample.at);
    // Reports are whole tokens, so a window is off by a token or so: only a clearly faster bucket counts.
    this.perMs =
      observed > FASTER * this.documentedPerMs
        ? Math.max(this.documentedPerMs, (this.perMs + observed) / 2)
        : this.documentedPerMs;
    this.sample = { at: now, remaining, taken: 0 };
  }

  private tokensAt(now: number): number {
    return Math.min(LOW_WATER, this.tokens + Math.max(0, now - this.at) * this.perMs);
  }
}
