import path from "node:path";
import type { Timer } from "@azure/functions";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseHostJson } from "../../../../dev/host/host-json";
import { memoryLogger } from "../../../../dev/host/logger";
import { startHost, type RunningHost } from "../../../../dev/host/start-host";
import { InvalidRegistrationsError } from "../../../../dev/host/validate-registrations";

// The host runs the fixture app in this process, against the run's shared Azurite.
const fixtures = path.join(__dirname, "..", "..", "..", "unit", "dev", "host", "fixtures");
const queueName = `hostwork${Date.now().toString(36)}`;
interface FixtureSeen {
  queue: { message: unknown; dequeueCount: unknown; id: unknown }[];
  running: number;
  maxRunning: number;
  events: unknown[];
  timers: Timer[];
}
const seen = () => (globalThis as { fixtureSeen?: FixtureSeen }).fixtureSeen;

async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("local Functions host (fixture app, Azurite)", () => {
  const connectionString = inject("azuriteConnectionString");
  const logger = memoryLogger();
  let host: RunningHost;
  let queue: QueueClient;

  beforeAll(async () => {
    host = await startHost({
      projectDir: path.join(fixtures, "app"),
      settings: { AzureWebJobsStorage: connectionString, FIXTURE_QUEUE: queueName, FIXTURE_SCHEDULE: "*/1 * * * * *" },
      functionKey: "test-key",
      logger,
      // A short lease, renewed while a function runs: slow messages below must still be delivered once.
      queueMessageLeaseMs: 1_000,
      hostJson: parseHostJson({
        version: "2.0",
        extensions: {
          queues: {
            batchSize: 4,
            newBatchThreshold: 2,
            maxPollingInterval: "00:00:00.500",
            visibilityTimeout: "00:00:00",
            maxDequeueCount: 3,
          },
        },
      }),
    });
    queue = new QueueClient(connectionString, queueName);
  });

  afterAll(async () => {
    await host?.close();
  });

  describe("HTTP triggers", () => {
    it("refuses a function-level route without the key, or with a wrong one", async () => {
      expect((await fetch(`${host.url}/api/hello/ann`)).status).toBe(401);
      expect((await fetch(`${host.url}/api/hello/ann?code=wrong`)).status).toBe(401);
      expect((await fetch(`${host.url}/api/hello/ann`, { headers: { "x-functions-key": "test-keyx" } })).status).toBe(
        401,
      );
    });

    it("serves a function-level route with the key in the header or ?code=, with route params and body", async () => {
      const viaHeader = await fetch(`${host.url}/api/Hello/ann`, {
        method: "POST",
        body: "payload",
        headers: { "x-functions-key": "test-key" },
      });
      expect(viaHeader.status).toBe(200);
      expect(viaHeader.headers.get("content-type")).toContain("application/json");
      const json = (await viaHeader.json()) as { hello: string; body: string; invocationId: string };
      expect(json).toMatchObject({ hello: "ann", body: "payload" });
      expect(json.invocationId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await fetch(`${host.url}/api/hello/bob?code=test-key`)).status).toBe(200);
      expect(
        logger.entries.some(
          (e) => e.category === "function" && e.functionName === "hello" && e.invocationId === json.invocationId,
        ),
      ).toBe(true);
    });

    it("serves anonymous catch-all routes and maps status, headers and body back", async () => {
      const response = await fetch(`${host.url}/api/public/a/b%20c?q=1`);
      expect(response.status).toBe(201);
      expect(response.headers.get("x-echo")).toBe("a/b c");
      expect(await response.text()).toBe("rest=a/b c;q=1");
    });

    it("answers 400 naming the path for a malformed percent-encoding, and keeps serving", async () => {
      const bad = await fetch(`${host.url}/api/hello/%E0%A4%A?code=test-key`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({
        error: { code: "BadRequest", message: "the path /api/hello/%E0%A4%A has a malformed percent-encoding" },
      });
      expect(await (await fetch(`${host.url}/api/hello/%C3%A5sa?code=test-key`)).json()).toMatchObject({
        hello: "åsa",
      });
    });

    it("answers 405 for a method the function does not take and 404 for no route", async () => {
      expect((await fetch(`${host.url}/api/public/x`, { method: "DELETE" })).status).toBe(405);
      expect((await fetch(`${host.url}/api/nothing-here`)).status).toBe(404);
    });
  });

  describe("hooks", () => {
    const hooks = () => (globalThis as { fixtureHooks?: { appStarts: number; preInvocations: string[] } }).fixtureHooks;

    it("ran the appStart hook before serving, and runs invocation hooks around handlers", async () => {
      expect(hooks()?.appStarts).toBeGreaterThanOrEqual(1);
      const plain = await fetch(`${host.url}/api/public/x`);
      expect(plain.status).toBe(201);
      const hooked = await fetch(`${host.url}/api/public/x?hooked=1`);
      expect(hooked.status).toBe(299);
      expect(await hooked.text()).toBe("replaced by a postInvocation hook");
      expect(hooks()?.preInvocations).toContain("publicEcho");
    });
  });

  describe("Event Grid webhook", () => {
    const webhook = () => `${host.url}/runtime/webhooks/eventgrid?functionName=events&code=test-key`;

    it("answers the subscription-validation handshake", async () => {
      const response = await fetch(webhook(), {
        method: "POST",
        headers: { "aeg-event-type": "SubscriptionValidation", "content-type": "application/json" },
        body: JSON.stringify([
          {
            id: "v1",
            eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
            data: { validationCode: "abc-123" },
          },
        ]),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ validationResponse: "abc-123" });
    });

    it("delivers each event of a notification, and fails the delivery when a handler fails", async () => {
      const ok = await fetch(webhook(), {
        method: "POST",
        headers: { "aeg-event-type": "Notification" },
        body: JSON.stringify([
          { id: "e1", subject: "one" },
          { id: "e2", subject: "two" },
        ]),
      });
      expect(ok.status).toBe(202);
      expect(seen()?.events).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: "e1" }), expect.objectContaining({ id: "e2" })]),
      );
      const failing = await fetch(webhook(), {
        method: "POST",
        headers: { "aeg-event-type": "Notification" },
        body: JSON.stringify([{ id: "e3", subject: "fail" }]),
      });
      expect(failing.status).toBe(500);
      expect(await failing.text()).toContain("e3");
    });

    it("answers the CloudEvents OPTIONS handshake and delivers a single CloudEvent", async () => {
      const options = await fetch(webhook(), {
        method: "OPTIONS",
        headers: { "WebHook-Request-Origin": "eventgrid.azure.net" },
      });
      expect(options.status).toBe(200);
      expect(options.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
      const cloudEvent = {
        specversion: "1.0",
        id: "ce-1",
        type: "Microsoft.Resources.ResourceWriteSuccess",
        source: "/subscriptions/x",
        subject: "one",
      };
      const delivered = await fetch(webhook(), {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify(cloudEvent),
      });
      expect(delivered.status).toBe(202);
      expect(seen()?.events).toContainEqual(cloudEvent);
    });

    it("hands malformed elements of a batch to the function too, so the valid events sent with them are not refused", async () => {
      const batch = [{ subject: "no id" }, "not an object", { id: "e-valid", subject: "valid" }];
      const response = await fetch(webhook(), {
        method: "POST",
        headers: { "aeg-event-type": "Notification" },
        body: JSON.stringify(batch),
      });
      expect(response.status).toBe(202);
      expect(seen()?.events).toEqual(
        expect.arrayContaining([{ subject: "no id" }, "not an object", { id: "e-valid", subject: "valid" }]),
      );
    });

    it("rejects bad bodies, unknown functions and a missing key with clear errors", async () => {
      const notJson = await fetch(webhook(), { method: "POST", body: "{nope" });
      expect(notJson.status).toBe(400);
      expect(await notJson.text()).toContain("not JSON");
      expect((await fetch(webhook(), { method: "POST", body: "[]" })).status).toBe(400);
      expect(
        (
          await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=nope&code=test-key`, {
            method: "POST",
            body: "[]",
          })
        ).status,
      ).toBe(404);
      expect(
        (await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=events`, { method: "POST", body: "[]" }))
          .status,
      ).toBe(401);
    });
  });

  describe("queue trigger", () => {
    it("delivers a base64 JSON message parsed, with trigger metadata, and deletes it", async () => {
      const sent = await queue.sendMessage(Buffer.from(JSON.stringify({ job: 1 })).toString("base64"));
      const delivery = await eventually(() => seen()?.queue.find((q) => q.id === sent.messageId), "the queue message");
      expect(delivery).toMatchObject({ message: { job: 1 }, dequeueCount: 1 });
      await eventually(
        async () =>
          (await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.some(
            (m) => m.messageId === sent.messageId,
          )
            ? undefined
            : true,
        "deletion",
      );
    });

    it("retries a failing message until maxDequeueCount, then moves it to <queue>-poison", async () => {
      const sent = await queue.sendMessage(Buffer.from(JSON.stringify({ fail: true })).toString("base64"));
      const poison = new QueueClient(connectionString, `${queueName}-poison`);
      const poisoned = await eventually(async () => {
        const { peekedMessageItems } = await poison
          .peekMessages({ numberOfMessages: 32 })
          .catch(() => ({ peekedMessageItems: [] }));
        return peekedMessageItems.find(
          (m) => Buffer.from(m.messageText, "base64").toString() === JSON.stringify({ fail: true }),
        );
      }, "the poison message");
      expect(poisoned).toBeDefined();
      const attempts = seen()
        ?.queue.filter((q) => q.id === sent.messageId)
        .map((q) => q.dequeueCount);
      expect(attempts).toEqual([1, 2, 3]);
    });

    it("runs at most batchSize + newBatchThreshold messages at once, and never redelivers a slow one whose lease it renews", async () => {
      const before = seen()?.queue.length ?? 0;
      const sent = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          queue.sendMessage(Buffer.from(JSON.stringify({ sleepMs: i === 0 ? 2_500 : 300 })).toString("base64")),
        ),
      );
      const ids = new Set(sent.map((s) => s.messageId));
      await eventually(
        () =>
          (seen()?.queue.filter((q) => ids.has(String(q.id))).length ?? 0) >= 10 && seen()?.running === 0
            ? true
            : undefined,
        "all slow messages",
      );
      const deliveries =
        seen()
          ?.queue.slice(before)
          .filter((q) => ids.has(String(q.id))) ?? [];
      expect(deliveries).toHaveLength(10);
      expect(deliveries.every((d) => d.dequeueCount === 1)).toBe(true);
      // batchSize 4 + newBatchThreshold 2
      expect(seen()?.maxRunning).toBeLessThanOrEqual(6);
      expect(seen()?.maxRunning).toBeGreaterThanOrEqual(4);
    });

    it("treats a message that is not base64 as a failure that ends in the poison queue, without crashing", async () => {
      await queue.sendMessage("this is not base64!");
      const poison = new QueueClient(connectionString, `${queueName}-poison`);
      await eventually(async () => {
        const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 32 });
        return peekedMessageItems.find((m) => m.messageText === "this is not base64!");
      }, "the undecodable message in the poison queue");
      expect(logger.entries.some((e) => e.level === "error" && String(e.message).includes("not base64"))).toBe(true);
    });
  });

  describe("timer trigger", () => {
    it("runs on startup and then on its six-field schedule", async () => {
      const timers = await eventually(
        () => ((seen()?.timers.length ?? 0) >= 2 ? seen()?.timers : undefined),
        "two timer firings",
      );
      expect(timers[0]).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
      expect(Date.parse(timers[1]?.scheduleStatus.next ?? "")).toBeGreaterThan(
        Date.parse(timers[1]?.scheduleStatus.last ?? ""),
      );
    });
  });
});

describe("closing the host", () => {
  it("stops polling and waits for in-flight invocations, whose messages are then settled", async () => {
    const connectionString = inject("azuriteConnectionString");
    const name = `hostclose${Date.now().toString(36)}`;
    const host = await startHost({
      projectDir: path.join(fixtures, "app"),
      settings: { AzureWebJobsStorage: connectionString, FIXTURE_QUEUE: name, FIXTURE_SCHEDULE: "0 0 0 1 1 *" },
      logger: memoryLogger(),
      hostJson: parseHostJson({ version: "2.0", extensions: { queues: { maxPollingInterval: "00:00:00.200" } } }),
    });
    const queue = new QueueClient(connectionString, name);
    const sent = await queue.sendMessage(Buffer.from(JSON.stringify({ sleepMs: 1_000 })).toString("base64"));
    await eventually(
      () => (seen()?.queue.some((q) => q.id === sent.messageId) ? true : undefined),
      "the slow message to start",
    );
    expect(seen()?.running).toBeGreaterThan(0);
    await host.close();
    expect(seen()?.running).toBe(0);
    // Deleted, not merely invisible: the count includes invisible messages.
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    expect((await fetch(host.url).catch(() => undefined))?.status).toBeUndefined();
  });
});

describe("registration validation", () => {
  it("refuses to start, naming every invalid registration", async () => {
    const attempt = startHost({
      projectDir: path.join(fixtures, "broken-app"),
      settings: { AzureWebJobsStorage: inject("azuriteConnectionString") },
      logger: memoryLogger(),
    });
    await expect(attempt).rejects.toBeInstanceOf(InvalidRegistrationsError);
    await expect(attempt).rejects.toThrow(
      /"noQueueName": a queue trigger needs a non-empty "queueName"[\s\S]*"missingSetting": schedule: .*%NOT_DEFINED_ANYWHERE%/,
    );
  });
});
