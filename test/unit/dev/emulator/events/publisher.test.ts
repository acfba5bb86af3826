import { createServer as createHttp } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { afterEach, describe, expect, inject, it } from "vitest";
import { EventGridPublisher } from "../../../../../dev/emulator/events/publisher";
import { startRecordingWebhook, type RecordingWebhook } from "../../../../../dev/emulator/events/recording-webhook";
import { resourceWriteSuccessEvent } from "../../../../../dev/emulator/events/resource-write-event";

const SUB = "11111111-2222-3333-4444-555555555555";
const SERVER = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss1/registeredServers/3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64`;

function anEvent() {
  return resourceWriteSuccessEvent({
    resourceUri: SERVER,
    operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
    subscriptionId: SUB,
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    principalOid: "7c2b9c4e-1f6a-4d3b-8e2f-9a0b1c2d3e4f",
  });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function webhook(options: Parameters<typeof startRecordingWebhook>[0] = {}): Promise<RecordingWebhook> {
  const hook = await startRecordingWebhook(options);
  cleanups.push(() => hook.close());
  return hook;
}

function publisher(options: ConstructorParameters<typeof EventGridPublisher>[0] = {}): EventGridPublisher {
  const p = new EventGridPublisher({ retryDelayMs: 5, ...options });
  cleanups.push(() => p.close());
  return p;
}

describe("EventGridPublisher", () => {
  it("registers a webhook through the validation handshake, over https with the run's certificate", async () => {
    const tls = inject("localTls");
    const hook = await webhook({ tls });
    const p = publisher({ ca: tls.certPem });
    await p.register(hook.url);
    expect(p.registered()).toEqual([hook.url]);
    const [validation] = hook.calls;
    expect(validation?.eventType).toBe("SubscriptionValidation");
    expect(validation?.headers["aeg-subscription-name"]).toBeTruthy();
    const [event] = JSON.parse(validation!.body) as Array<{ eventType: string; data: { validationCode: string } }>;
    expect(event?.eventType).toBe("Microsoft.EventGrid.SubscriptionValidationEvent");
    // The product's handler parses this with @azure/eventgrid too.
    const [parsed] = await new EventGridDeserializer().deserializeEventGridEvents(validation!.body);
    expect(isSystemEvent("Microsoft.EventGrid.SubscriptionValidationEvent", parsed!)).toBe(true);
  });

  it("refuses to register a webhook that does not echo the code, or cannot be reached", async () => {
    const hook = await webhook({ refuseValidation: true });
    const p = publisher();
    await expect(p.register(hook.url)).rejects.toThrow(/subscription validation of .* failed: HTTP 400/);
    expect(p.registered()).toEqual([]);
    const port = await closedPort();
    await expect(p.register(`http://127.0.0.1:${port}/x`)).rejects.toThrow(/subscription validation/);
  });

  it("delivers each event as a one-element array with aeg-event-type Notification, accepted by @azure/eventgrid", async () => {
    const hook = await webhook();
    const p = publisher();
    await p.register(hook.url);
    const sent = [anEvent(), anEvent()];
    for (const e of sent) p.publish(e);
    await p.flush();
    const notifications = hook.calls.filter((c) => c.eventType === "Notification");
    expect(notifications).toHaveLength(2);
    const ids: string[] = [];
    for (const call of notifications) {
      expect(call.headers["content-type"]).toMatch(/application\/json/);
      expect(call.headers["aeg-delivery-count"]).toBe("0");
      const events = await new EventGridDeserializer().deserializeEventGridEvents(call.body);
      expect(events).toHaveLength(1);
      expect(isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", events[0]!)).toBe(true);
      ids.push(events[0]!.id);
    }
    expect(ids.sort()).toEqual(sent.map((e) => e.id).sort());
    expect(p.stats()).toMatchObject({ published: 2, delivered: 2, failed: 0, pending: 0 });
  });

  it("retries non-2xx answers until one succeeds, counting deliveries", async () => {
    const hook = await webhook({ statusFor: (_call, index) => (index <= 2 ? 503 : 200) });
    const p = publisher({ maxAttempts: 5 });
    await p.register(hook.url);
    p.publish(anEvent());
    await p.flush();
    const counts = hook.calls.filter((c) => c.eventType === "Notification").map((c) => c.headers["aeg-delivery-count"]);
    expect(counts).toEqual(["0", "1", "2"]);
    expect(p.stats()).toMatchObject({ delivered: 1, failed: 0, retries: 2 });
    expect(p.deliveries()).toEqual([expect.objectContaining({ outcome: "delivered", attempts: 3 })]);
  });

  it("gives up after maxAttempts, and does not retry a 400", async () => {
    const hook = await webhook({ statusFor: (call) => (JSON.parse(call.body)[0].subject === "bad" ? 400 : 500) });
    const p = publisher({ maxAttempts: 3 });
    await p.register(hook.url);
    p.publish(anEvent());
    p.publish({ ...anEvent(), subject: "bad" });
    await p.flush();
    expect(hook.calls.filter((c) => c.eventType === "Notification")).toHaveLength(3 + 1);
    expect(p.stats()).toMatchObject({ delivered: 0, failed: 2 });
    expect(
      p
        .deliveries()
        .map((d) => d.lastError)
        .sort(),
    ).toEqual(["HTTP 400", "HTTP 500"]);
  });

  it("retries connection errors (webhook down) and delivers once it is back", async () => {
    const hook = await webhook();
    const p = publisher({ maxAttempts: 4, retryDelayMs: 50 });
    await p.register(hook.url);
    await hook.close();
    const revived = new URL(hook.url);
    p.publish(anEvent());
    // Bring a webhook back on the same port once the first attempt has failed and the publisher backs off.
    while (p.stats().retries === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    let received = 0;
    const server = createHttp((_req, res) => {
      received++;
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server.listen(Number(revived.port), "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await p.flush();
    expect(received).toBe(1);
    expect(p.stats()).toMatchObject({ delivered: 1, failed: 0 });
    expect(p.stats().retries).toBeGreaterThanOrEqual(1);
  });

  it("duplicates events with the given probability, keeping the event id", async () => {
    const hook = await webhook();
    const draws = [0.1, 0.9];
    const p = publisher({ duplicateProbability: 0.5, random: () => draws.shift() ?? 0.9 });
    await p.register(hook.url);
    const first = anEvent();
    p.publish(first);
    p.publish(anEvent());
    await p.flush();
    const ids = hook.calls
      .filter((c) => c.eventType === "Notification")
      .map((c) => (JSON.parse(c.body) as Array<{ id: string }>)[0]!.id);
    expect(ids.filter((id) => id === first.id)).toHaveLength(2);
    expect(ids).toHaveLength(3);
    expect(p.stats()).toMatchObject({ published: 2, delivered: 3, duplicated: 1 });
  });

  it("with delayJitterMs, a later event can arrive first (drawn delays 0.9 then 0 of 200 ms)", async () => {
    const hook = await webhook();
    const draws = [0.9, 0];
    const p = publisher({ delayJitterMs: 200, random: () => draws.shift() ?? 0 });
    await p.register(hook.url);
    const first = anEvent();
    const second = anEvent();
    p.publish(first);
    p.publish(second);
    await p.flush();
    const ids = hook.calls
      .filter((c) => c.eventType === "Notification")
      .map((c) => (JSON.parse(c.body) as Array<{ id: string }>)[0]!.id);
    expect(ids).toEqual([second.id, first.id]);
  });

  it("delivers to every registered webhook and stops after unregister", async () => {
    const a = await webhook();
    const b = await webhook();
    const p = publisher();
    await p.register(a.url);
    await p.register(b.url);
    p.publish(anEvent());
    await p.flush();
    expect(p.unregister(b.url)).toBe(true);
    p.publish(anEvent());
    await p.flush();
    expect(a.calls.filter((c) => c.eventType === "Notification")).toHaveLength(2);
    expect(b.calls.filter((c) => c.eventType === "Notification")).toHaveLength(1);
  });

  it("publish returns before delivery; flush waits for delayed deliveries", async () => {
    const hook = await webhook();
    const p = publisher({ extraDelayMs: 100 });
    await p.register(hook.url);
    p.publish(anEvent());
    expect(p.stats().pending).toBe(1);
    expect(hook.calls.filter((c) => c.eventType === "Notification")).toHaveLength(0);
    await p.flush();
    expect(hook.calls.filter((c) => c.eventType === "Notification")).toHaveLength(1);
  });

  it("close cancels pending retries and delays without hanging", async () => {
    const hook = await webhook({ statusFor: () => 500 });
    const p = new EventGridPublisher({ maxAttempts: 10, retryDelayMs: 60_000 });
    await p.register(hook.url);
    p.publish(anEvent());
    await hook.waitFor("Notification", 1);
    await p.close();
    expect(p.stats()).toMatchObject({ delivered: 0, failed: 1, pending: 0 });
    p.publish(anEvent());
    expect(p.stats().pending).toBe(0);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
