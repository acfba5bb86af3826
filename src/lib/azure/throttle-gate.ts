import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import { BucketPacer } from "./bucket-pacer";

/**
 * ARM throttles per subscription with token buckets for reads, writes and
 * deletes, shared by every caller of the subscription (all app instances):
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 * Retrying each 429 on its own after Retry-After, as the SDK's policy does,
 * sends every waiting request at the same instant; most lose again, and the
 * unlucky ones run out of retries while the bucket is busy serving others.
 *
 * This policy keeps one gate per (subscription, kind) for the connection.
 * Once ARM reports a bucket low, requests of that kind go out in the order
 * they arrived, paced by a `BucketPacer` at the bucket's refill rate, so they
 * seldom meet a 429; after one, nothing goes before its Retry-After, and the
 * refused request is retried first. The gate opens again when ARM reports
 * tokens to spare. A 429 is retried until MAX_THROTTLED_ATTEMPTS, so a run
 * waits for its turn instead of failing an action and re-queueing the whole
 * service.
 */
export const throttleGatePolicyName = "afsArmThrottleGate";

/** Attempts of one request against 429 before the answer is passed on (then the SDK's own retries follow). */
const MAX_THROTTLED_ATTEMPTS = 200;

type Kind = "reads" | "writes" | "deletes";

/** ARM's documented refill per subscription and region (the link above). */
const DOCUMENTED_REFILL_PER_SECOND: Record<Kind, number> = { reads: 25, writes: 10, deletes: 10 };

function kindOf(method: string): Kind {
  if (method === "GET" || method === "HEAD") return "reads";
  return method === "DELETE" ? "deletes" : "writes";
}

function subscriptionOf(url: string): string {
  return /\/subscriptions\/([^/?]+)/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? "";
}

/** Retry-After of a 429 in ms: retry-after-ms first (as the SDK reads it), then whole seconds. */
export function retryAfterMs(response: PipelineResponse): number {
  const ms = Number(response.headers.get("retry-after-ms") ?? response.headers.get("x-ms-retry-after-ms") ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number(response.headers.get("retry-after") ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

class Gate {
  private readonly pacer: BucketPacer;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly kind: Kind,
    paceAtRefill: boolean,
  ) {
    this.pacer = new BucketPacer(DOCUMENTED_REFILL_PER_SECOND[kind], { paceAtRefill });
  }

  /** Resolves when this request may go; a retry of a refused one queues at the front. */
  acquire(retry: boolean): Promise<void> {
    if (this.waiting.length === 0 && this.pacer.delayMs(Date.now()) === 0) {
      this.send();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (retry) this.waiting.unshift(resolve);
      else this.waiting.push(resolve);
      this.pump();
    });
  }

  /** Whether the last request asked for waits for its turn (the bucket is paced or has a queue). */
  holds(): boolean {
    return this.waiting.length > 0;
  }

  release(response: PipelineResponse | undefined): void {
    this.inFlight--;
    if (response) {
      const header = response.headers.get(`x-ms-ratelimit-remaining-subscription-${this.kind}`);
      const remaining = header === undefined ? NaN : Number(header);
      this.pacer.answered(
        Date.now(),
        {
          status: response.status,
          ...(Number.isFinite(remaining) ? { remaining } : {}),
          ...(response.status === 429 ? { retryAfterMs: retryAfterMs(response) } : {}),
        },
        this.inFlight,
      );
    }
    this.pump();
  }

  private send(): void {
    this.pacer.sent(Date.now());
    this.inFlight++;
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const now = Date.now();
      const wait = this.pacer.delayMs(now);
      if (wait > 0) {
        this.wakeAt(now + wait);
        return;
      }
      this.send();
      this.waiting.shift()?.();
    }
  }

  /** One timer, at the earliest time a waiting request may go (a later answer may bring it forward). */
  private wakeAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(1, at - Date.now()),
    );
    // Not unref'd: requests are waiting on it. A CLI whose every request waits out a 429 has nothing else
    // keeping the process alive, and an unref'd timer let it exit 0 mid-run with nothing printed.
  }
}

/**
 * Wall-clock time during which at least one request was held back by a throttled gate (waiting out a
 * 429's Retry-After, or for its turn while ARM reported the bucket low): what throttling cost a run.
 */
export class ThrottleWaitMeter {
  private waiting = 0;
  private since = 0;
  private totalMs = 0;

  begin(now = Date.now()): void {
    if (this.waiting++ === 0) this.since = now;
  }

  end(now = Date.now()): void {
    if (--this.waiting === 0) this.totalMs += now - this.since;
  }

  /** Milliseconds waited so far, the current wait included. */
  waitedMs(now = Date.now()): number {
    return this.totalMs + (this.waiting > 0 ? now - this.since : 0);
  }
}

/** One policy instance per connection: its gates are shared by every client of it. */
export function throttleGatePolicy(
  meter?: ThrottleWaitMeter,
  options: { /** Default true; false waits out Retry-After only. */ paceAtRefill?: boolean } = {},
): PipelinePolicy {
  const gates = new Map<string, Gate>();
  return {
    name: throttleGatePolicyName,
    async sendRequest(request, next) {
      const kind = kindOf(request.method);
      const key = `${subscriptionOf(request.url)}|${kind}`;
      let gate = gates.get(key);
      if (!gate) {
        gate = new Gate(kind, options.paceAtRefill ?? true);
        gates.set(key, gate);
      }
      for (let attempt = 1; ; attempt++) {
        const turn = gate.acquire(attempt > 1);
        if (meter && gate.holds()) {
          meter.begin();
          await turn.finally(() => meter.end());
        } else await turn;
        let response: PipelineResponse | undefined;
        try {
          response = await next(request);
        } finally {
          gate.release(response);
        }
        if (response.status !== 429 || attempt >= MAX_THROTTLED_ATTEMPTS || request.abortSignal?.aborted)
          return response;
      }
    },
  };
}
