import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";

/**
 * ARM throttles per subscription with token buckets for reads, writes and
 * deletes, shared by every caller of the subscription (all app instances):
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 * Retrying each 429 on its own after Retry-After, as the SDK's policy does,
 * sends every waiting request at the same instant; most lose again, and the
 * unlucky ones run out of retries while the bucket is busy serving others.
 *
 * This policy keeps one gate per (subscription, kind) for the connection:
 * once ARM says a bucket is low (x-ms-ratelimit-remaining-subscription-* under
 * LOW_WATER) or empty (429), requests of that kind go out in the order they
 * arrived, not before Retry-After has passed, no more at once than the tokens
 * ARM last reported left (at least THROTTLED_CONCURRENCY), and a refused
 * request is retried first. The gate opens again when ARM reports tokens to
 * spare. A 429 is retried until MAX_THROTTLED_ATTEMPTS, so a run waits for
 * its turn instead of failing an action and re-queueing the whole service.
 */
export const throttleGatePolicyName = "afsArmThrottleGate";

/** Remaining tokens under which the gate narrows before ARM refuses anything. */
const LOW_WATER = 20;
/** Requests of one kind in flight per connection while the bucket is low, at the least. */
const THROTTLED_CONCURRENCY = 4;
/** Attempts of one request against 429 before the answer is passed on (then the SDK's own retries follow). */
const MAX_THROTTLED_ATTEMPTS = 200;

type Kind = "reads" | "writes" | "deletes";

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
  private throttled = false;
  private resumeAt = 0;
  private inFlight = 0;
  /** In flight allowed while throttled: the tokens ARM last said were left, at least THROTTLED_CONCURRENCY. */
  private allowance = THROTTLED_CONCURRENCY;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /** Resolves when this request may go; a retry of a refused one queues at the front. */
  acquire(retry: boolean): Promise<void> {
    if (!this.throttled && this.waiting.length === 0) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (retry) this.waiting.unshift(resolve);
      else this.waiting.push(resolve);
      this.pump();
    });
  }

  /** Whether the last request asked for waits for its turn (the gate is throttled or has a queue). */
  holds(): boolean {
    return this.waiting.length > 0;
  }

  release(response: PipelineResponse | undefined, kind: Kind): void {
    this.inFlight--;
    if (response?.status === 429) {
      this.throttled = true;
      this.allowance = THROTTLED_CONCURRENCY;
      this.resumeAt = Math.max(this.resumeAt, Date.now() + retryAfterMs(response));
    } else if (response) {
      const remaining = Number(response.headers.get(`x-ms-ratelimit-remaining-subscription-${kind}`) ?? NaN);
      if (Number.isFinite(remaining)) {
        this.throttled = remaining < LOW_WATER;
        this.allowance = Math.max(THROTTLED_CONCURRENCY, remaining);
      }
    }
    this.pump();
  }

  private pump(): void {
    if (!this.throttled) {
      while (this.waiting.length > 0) {
        this.inFlight++;
        this.waiting.shift()?.();
      }
      return;
    }
    const wait = this.resumeAt - Date.now();
    if (wait > 0) {
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        // Not unref'd: requests are waiting on it. A CLI whose every request waits out a 429 has nothing else
        // keeping the process alive, and an unref'd timer let it exit 0 mid-run with nothing printed.
      }
      return;
    }
    while (this.inFlight < this.allowance && this.waiting.length > 0) {
      this.inFlight++;
      this.waiting.shift()?.();
    }
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
export function throttleGatePolicy(meter?: ThrottleWaitMeter): PipelinePolicy {
  const gates = new Map<string, Gate>();
  return {
    name: throttleGatePolicyName,
    async sendRequest(request, next) {
      const kind = kindOf(request.method);
      const key = `${subscriptionOf(request.url)}|${kind}`;
      let gate = gates.get(key);
      if (!gate) {
        gate = new Gate();
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
          gate.release(response, kind);
        }
        if (response.status !== 429 || attempt >= MAX_THROTTLED_ATTEMPTS || request.abortSignal?.aborted)
          return response;
      }
    },
  };
}
