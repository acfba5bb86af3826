import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { EventGridSchemaEvent } from "./resource-write-event";
import { postJson } from "./webhook-post";

export interface EventGridPublisherOptions {
  /** Delivery attempts per event and webhook (Event Grid's retry policy, shortened). */
  maxAttempts?: number;
  /** First back-off between attempts; doubles after each failed attempt. */
  retryDelayMs?: number;
  /** Chance that an event is delivered twice (same id), as Event Grid's at-least-once delivery does. */
  duplicateProbability?: number;
  /** Delay before each delivery starts (late events). */
  extraDelayMs?: number;
  /** Up to this much more delay, drawn per delivery, so events arrive out of order (Event Grid does not keep order). */
  delayJitterMs?: number;
  random?: () => number;
  /** Extra CA certificate (PEM) to trust for https webhooks. */
  ca?: string;
  /** Per-request timeout; Event Grid gives up on a webhook after 30 s. */
  timeoutMs?: number;
  /** Sent as `aeg-subscription-name`. */
  subscriptionName?: string;
}

export interface PublisherStats {
  published: number;
  delivered: number;
  failed: number;
  duplicated: number;
  retries: number;
  pending: number;
}

export interface DeliveryRecord {
  url: string;
  eventId: string;
  attempts: number;
  outcome: "delivered" | "failed";
  /** Last HTTP status or connection error of a failed delivery. */
  lastError?: string;
}

const VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent";
/** Event Grid does not retry these: the request itself is wrong. */
const NOT_RETRIED = new Set([400, 413]);

/**
 * Delivers Event Grid schema events to webhooks the way Event Grid does:
 * a subscription-validation handshake before a webhook receives anything,
 * then one POST per event (a JSON array, header `aeg-event-type:
 * Notification`), retried with back-off on non-2xx or connection errors,
 * asynchronously (publish never blocks the write that raised the event),
 * optionally doubled or delayed.
 */
export class EventGridPublisher {
  private readonly subscribers = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: DeliveryRecord[] = [];
  private readonly abort = new AbortController();
  private readonly counts = { published: 0, delivered: 0, failed: 0, duplicated: 0, retries: 0 };
  private readonly options: Required<Omit<EventGridPublisherOptions, "ca">> & { ca?: string };

  constructor(options: EventGridPublisherOptions = {}) {
    // Every pending delivery waits on this one signal: many at once is normal, not a leak.
    setMaxListeners(0, this.abort.signal);
    this.options = {
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryDelayMs: Math.max(0, options.retryDelayMs ?? 200),
      duplicateProbability: options.duplicateProbability ?? 0,
      extraDelayMs: Math.max(0, options.extraDelayMs ?? 0),
      delayJitterMs: Math.max(0, options.delayJitterMs ?? 0),
      random: options.random ?? Math.random,
      timeoutMs: options.timeoutMs ?? 30_000,
      subscriptionName: options.subscriptionName ?? "emulator-arm-events",
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    };
  }

  /**
   * Performs the subscription-validation handshake; the webhook is registered
   * only if it echoes the validation code. Rejects with the reason otherwise.
   */
  async register(url: string): Promise<void> {
    const validationCode = randomUUID();
    const event: EventGridSchemaEvent<{ validationCode: string; validationUrl: string }> = {
      id: randomUUID(),
      topic:
        "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.EventGrid/systemTopics/emulator-arm-events",
      subject: "",
      eventType: VALIDATION_EVENT,
      eventTime: new Date().toISOString(),
      data: { validationCode, validationUrl: `https://localhost/eventgrid-emulator/validate?code=${validationCode}` },
      dataVersion: "1",
      metadataVersion: "1",
    };
    let response;
    try {
      response = await postJson(
        url,
        JSON.stringify([event]),
        this.headers("SubscriptionValidation", 0, event.dataVersion),
        this.postOptions(),
      );
    } catch (error) {
      throw new Error(`Event Grid subscription validation of ${url} failed: ${messageOf(error)}`);
    }
    if (response.status < 200 || response.status > 299) {
      throw new Error(
        `Event Grid subscription validation of ${url} failed: HTTP ${response.status} ${response.body.slice(0, 200)}`,
      );
    }
    const echoed = validationResponseOf(response.body);
    if (echoed !== validationCode) {
      throw new Error(
        `Event Grid subscription validation of ${url} failed: expected validationResponse '${validationCode}', got ${echoed === undefined ? "none" : `'${echoed}'`}`,
      );
    }
    this.subscribers.add(url);
  }

  unregister(url: string): boolean {
    return this.subscribers.delete(url);
  }

  registered(): string[] {
    return [...this.subscribers];
  }

  /** Queues the event for every registered webhook and returns at once. */
  publish(event: EventGridSchemaEvent): void {
    if (this.abort.signal.aborted) return;
    this.counts.published++;
    for (const url of this.subscribers) {
      this.track(this.deliver(url, event));
      if (this.options.duplicateProbability > 0 && this.options.random() < this.options.duplicateProbability) {
        this.counts.duplicated++;
        this.track(this.deliver(url, event));
      }
    }
  }

  /** Resolves when every delivery started so far (including its retries) has finished. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stats(): PublisherStats {
    return { ...this.counts, pending: this.inFlight.size };
  }

  deliveries(): DeliveryRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  /** Stops retries and delays (pending deliveries end as failed) and waits for requests in progress. */
  async close(): Promise<void> {
    this.abort.abort();
    this.subscribers.clear();
    await this.flush();
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(url: string, event: EventGridSchemaEvent): Promise<void> {
    const body = JSON.stringify([event]);
    let lastError = "closed before delivery";
    let attempts = 0;
    const delayMs =
      this.options.extraDelayMs +
      (this.options.delayJitterMs > 0 ? this.options.random() * this.options.delayJitterMs : 0);
    if (delayMs > 0) await sleep(delayMs, this.abort.signal);
    while (attempts < this.options.maxAttempts && !this.abort.signal.aborted) {
      attempts++;
      try {
        const response = await postJson(
          url,
          body,
          this.headers("Notification", attempts - 1, event.dataVersion),
          this.postOptions(),
        );
        if (response.status >= 200 && response.status <= 299) {
          this.counts.delivered++;
          this.log.push({ url, eventId: event.id, attempts, outcome: "delivered" });
          return;
        }
        lastError = `HTTP ${response.status}`;
        if (NOT_RETRIED.has(response.status)) break;
      } catch (error) {
        lastError = messageOf(error);
      }
      if (attempts < this.options.maxAttempts) {
        this.counts.retries++;
        await sleep(this.options.retryDelayMs * 2 ** (attempts - 1), this.abort.signal);
      }
    }
    this.counts.failed++;
    this.log.push({ url, eventId: event.id, attempts, outcome: "failed", lastError });
  }

  private headers(
    eventType: "SubscriptionValidation" | "Notification",
    deliveryCount: number,
    dataVersion: string,
  ): Record<string, string> {
    return {
      "aeg-event-type": eventType,
      "aeg-subscription-name": this.options.subscriptionName.toUpperCase(),
      "aeg-delivery-count": String(deliveryCount),
      "aeg-data-version": dataVersion,
      "aeg-metadata-version": "1",
    };
  }

  private postOptions(): { ca?: string; timeoutMs: number } {
    return { timeoutMs: this.options.timeoutMs, ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}) };
  }
}

function validationResponseOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const key = Object.keys(parsed).find((k) => k.toLowerCase() === "validationresponse");
    const value = key === undefined ? undefined : (parsed as Record<string, unknown>)[key];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
