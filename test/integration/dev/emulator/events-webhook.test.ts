import { EventGridDeserializer, isSystemEvent, type EventGridEvent } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROLE_IDS, startEmulator, TEST_TENANT_ID } from "../../../../dev/emulator/index";
import {
  startRecordingWebhook,
  type ReceivedCall,
  type RecordingWebhook,
} from "../../../../dev/emulator/events/recording-webhook";
import { SERVICE1, SUB1, sendLongRunning, sendRaw, startHarness, type Harness } from "../../support/emulator-harness";

/**
 * Writes through the real SDK clients raise Microsoft.Resources.ResourceWriteSuccess
 * events that reach a webhook with Event Grid's handshake, headers and
 * retries, in bodies that @azure/eventgrid accepts.
 */

const SHARE = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin/fileServices/default/fileshares/finance`;
const API = "api-version=2022-09-01";

let h: Harness;
let hook: RecordingWebhook;
const deserializer = new EventGridDeserializer();

beforeAll(async () => {
  const tls = inject("localTls");
  hook = await startRecordingWebhook({ tls });
  h = await startHarness({ lroMode: "sync", webhooks: [hook.url], events: { retryDelayMs: 10 } });
});
afterAll(async () => {
  await h?.emulator.close();
  await hook?.close();
});

/** The ResourceWriteSuccess events received so far, parsed the way the product's handler parses them. */
async function writeEvents(calls: ReceivedCall[] = hook.calls): Promise<EventGridEvent<unknown>[]> {
  const events: EventGridEvent<unknown>[] = [];
  for (const call of calls.filter((c) => c.eventType === "Notification")) {
    for (const event of await deserializer.deserializeEventGridEvents(call.body)) {
      expect(isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", event)).toBe(true);
      events.push(event);
    }
  }
  return events;
}

async function eventFor(subject: string): Promise<EventGridEvent<unknown> | undefined> {
  await h.emulator.admin.flushEvents();
  return (await writeEvents()).find((e) => e.subject.toLowerCase() === subject.toLowerCase());
}

describe("Event Grid events from emulator writes", () => {
  it("validated the webhook before startEmulator resolved", () => {
    const first = hook.calls[0];
    expect(first?.eventType).toBe("SubscriptionValidation");
    expect(JSON.parse(first!.body)[0].eventType).toBe("Microsoft.EventGrid.SubscriptionValidationEvent");
  });

  it("a service identity PATCH raises storageSyncServices/write with the caller's claims", async () => {
    const client = h.storageSync(SUB1);
    await sendLongRunning(client, h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
      identity: { type: "SystemAssigned" },
    });
    const event = await eventFor(SERVICE1);
    expect(event).toBeDefined();
    if (!event || !isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", event)) throw new Error("no write event");
    expect(event.topic).toBe(`/subscriptions/${SUB1}`);
    expect(event.data).toMatchObject({
      resourceUri: SERVICE1,
      operationName: "Microsoft.StorageSync/storageSyncServices/write",
      resourceProvider: "Microsoft.StorageSync",
      status: "Succeeded",
      subscriptionId: SUB1,
      tenantId: TEST_TENANT_ID,
    });
    expect(event.data.claims["http://schemas.microsoft.com/identity/claims/objectidentifier"]).toBe(
      h.emulator.callerPrincipalId,
    );
    expect(event.data.httpRequest.method).toBe("PATCH");
  });

  it("a role assignment created by @azure/arm-authorization raises roleAssignments/write", async () => {
    const name = "e7e70000-0000-4000-8000-000000000001";
    const created = await h.authorization(SUB1).roleAssignments.create(SHARE, name, {
      roleDefinitionId: `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
      principalId: h.emulator.callerPrincipalId,
      principalType: "ServicePrincipal",
    });
    const event = await eventFor(created.id!);
    expect(event?.data).toMatchObject({
      operationName: "Microsoft.Authorization/roleAssignments/write",
      resourceUri: created.id,
    });
  });

  it("a server registered by the agent and a machine identity change raise their writes", async () => {
    const serverId = await h.emulator.admin.registerServer({ serviceId: SERVICE1, serverName: "fs09.contoso.local" });
    expect((await eventFor(serverId))?.data).toMatchObject({
      operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
    });

    const arc = `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs05`;
    await h.emulator.admin.setMachineIdentity(arc, "reset");
    expect((await eventFor(arc))?.data).toMatchObject({ operationName: "Microsoft.HybridCompute/machines/write" });
  });

  it("reads raise no events", async () => {
    await h.emulator.admin.flushEvents();
    const before = hook.calls.length;
    const read = await sendRaw(h.storageSync(SUB1), h.emulator.armEndpoint, "GET", `${SERVICE1}?${API}`);
    expect(read.status).toBe(200);
    await h.emulator.admin.flushEvents();
    expect(hook.calls.length).toBe(before);
  });

  it("a webhook added at run time is validated, and a failing one gets retries until it answers 2xx", async () => {
    const flaky = await startRecordingWebhook({ statusFor: (_call, index) => (index <= 2 ? 503 : 200) });
    try {
      await h.emulator.admin.addWebhook(flaky.url);
      expect(flaky.calls[0]?.eventType).toBe("SubscriptionValidation");
      await sendLongRunning(h.storageSync(SUB1), h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
        properties: { useIdentity: false },
      });
      await h.emulator.admin.flushEvents();
      const notifications = flaky.calls.filter((c) => c.eventType === "Notification");
      expect(notifications.map((c) => c.headers["aeg-delivery-count"])).toEqual(["0", "1", "2"]);
      const bodies = new Set(notifications.map((c) => c.body));
      expect(bodies.size).toBe(1); // the same event each time
      expect((await writeEvents(notifications))[0]?.subject).toBe(SERVICE1);
      const info = await h.emulator.admin.webhooks();
      expect(info.registered).toContain(flaky.url);
      expect(info.deliveries.filter((d) => d.url === flaky.url)).toEqual([
        expect.objectContaining({ outcome: "delivered", attempts: 3 }),
      ]);
    } finally {
      await flaky.close();
    }
  });

  it("a webhook that fails the handshake is refused and never receives events", async () => {
    const refusing = await startRecordingWebhook({ refuseValidation: true });
    try {
      await expect(h.emulator.admin.addWebhook(refusing.url)).rejects.toThrow(/validation/i);
      expect((await h.emulator.admin.webhooks()).registered).not.toContain(refusing.url);
      await sendLongRunning(h.storageSync(SUB1), h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
        properties: { useIdentity: false },
      });
      await h.emulator.admin.flushEvents();
      expect(refusing.calls.filter((c) => c.eventType === "Notification")).toEqual([]);
    } finally {
      await refusing.close();
    }
  });

  it("with duplicate injection, every event arrives twice under the same id", async () => {
    const twice = await startRecordingWebhook();
    const emulator = await startEmulator({
      tls: inject("localTls"),
      lroMode: "sync",
      webhooks: [twice.url],
      events: { duplicateProbability: 1 },
    });
    try {
      await emulator.admin.registerServer({ serviceId: SERVICE1, serverName: "fs10.contoso.local" });
      await emulator.admin.flushEvents();
      const ids = (await writeEvents(twice.calls)).map((e) => e.id);
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);
      expect((await emulator.admin.webhooks()).stats).toMatchObject({ duplicated: 1, delivered: 2 });
    } finally {
      await emulator.close();
      await twice.close();
    }
  });
});
