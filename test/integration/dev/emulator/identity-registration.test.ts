import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startRecordingWebhook, type RecordingWebhook } from "../../../../dev/emulator/events/recording-webhook";
import {
  SERVICE1,
  responseProblems,
  sendLongRunning,
  startHarness,
  type Harness,
} from "../../support/emulator-harness";

/**
 * Register-AzStorageSyncServer -ApplicationId (Az.StorageSync, 2026): an ARM PUT whose 2022-09-01
 * RegisteredServerCreateParameters carry applicationId and no certificate. The server uses its
 * managed identity from the start, and the PUT raises registeredServers/write.
 */
let h: Harness;
let webhook: RecordingWebhook;
beforeAll(async () => {
  webhook = await startRecordingWebhook({ tls: inject("localTls") });
  h = await startHarness({ webhooks: [webhook.url], validateResponses: true });
});
afterAll(async () => {
  await h.emulator.close();
  await webhook.close();
});

const SERVER_ID = "5e7e00b1-0000-4000-8000-0000000000b1";
const PRINCIPAL = "a7c000b1-0000-4000-8000-0000000000b1";

describe("identity-only registration", () => {
  it("accepts applicationId without a certificate: identity true, ManagedIdentity, no latestApplicationId, and an event", async () => {
    // The SDK's 9.x models lack applicationId: the body is sent as the cmdlet sends it.
    const body = {
      properties: {
        agentVersion: "21.2.0.0",
        serverRole: "Standalone",
        friendlyName: "fs20.contoso.local",
        applicationId: PRINCIPAL,
        identity: true,
      },
    };
    await sendLongRunning(
      h.storageSync(),
      h.emulator.armEndpoint,
      "PUT",
      `${SERVICE1}/registeredServers/${SERVER_ID}?api-version=2022-09-01`,
      body,
    );
    const created = await h.storageSync().registeredServers.get("rg-filesync", "sss-prod", SERVER_ID);
    expect(created).toMatchObject({ serverCertificate: "" });
    expect(await h.emulator.admin.getServer(`${SERVICE1}/registeredServers/${SERVER_ID}`)).toMatchObject({
      applicationId: PRINCIPAL,
      identity: true,
      activeAuthType: "ManagedIdentity",
    });
    expect(
      (await h.emulator.admin.getServer(`${SERVICE1}/registeredServers/${SERVER_ID}`)).latestApplicationId ?? undefined,
    ).toBeUndefined();
    expect(await responseProblems(h)).toEqual([]);

    await h.emulator.admin.flushEvents();
    const deserializer = new EventGridDeserializer();
    const subjects: string[] = [];
    for (const call of webhook.calls.filter((c) => c.eventType === "Notification"))
      for (const e of await deserializer.deserializeEventGridEvents(call.body))
        if (
          isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", e) &&
          e.data.operationName.endsWith("registeredServers/write")
        )
          subjects.push(e.subject);
    expect(subjects).toContain(`${SERVICE1}/registeredServers/${SERVER_ID}`);
  });

  it("refuses an applicationId that is not a GUID", async () => {
    const path = `${SERVICE1}/registeredServers/5e7e00b2-0000-4000-8000-0000000000b2?api-version=2022-09-01`;
    await expect(
      sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PUT", path, {
        properties: { applicationId: "not-a-guid" },
      }),
    ).rejects.toThrow();
  });
});
