import { EventGridDeserializer, isSystemEvent, type EventGridEvent } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startRecordingWebhook, type RecordingWebhook } from "../../../../dev/emulator/events/recording-webhook";
import { ROLE_IDS } from "../../../../dev/emulator/index";
import {
  SERVICE1,
  SUB1,
  sendLongRunning,
  responseProblems,
  startHarness,
  type Harness,
} from "../../support/emulator-harness";

let h: Harness;
let webhook: RecordingWebhook;
beforeAll(async () => {
  webhook = await startRecordingWebhook({ tls: inject("localTls") });
  h = await startHarness({ webhooks: [webhook.url], delays: { discoveryMs: 1_000, lroMs: 20 } });
});
afterAll(async () => {
  await h.emulator.close();
  await webhook.close();
});

const deserializer = new EventGridDeserializer();

async function notifications(): Promise<EventGridEvent<unknown>[]> {
  await h.emulator.admin.flushEvents();
  const events: EventGridEvent<unknown>[] = [];
  for (const call of webhook.calls.filter((c) => c.eventType === "Notification"))
    events.push(...(await deserializer.deserializeEventGridEvents(call.body)));
  return events;
}

function writeEvents(
  events: EventGridEvent<unknown>[],
): { subject: string; operationName: string; principal: string }[] {
  return events.flatMap((e) =>
    isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", e)
      ? [
          {
            subject: e.subject,
            operationName: e.data.operationName,
            principal: e.data.claims["http://schemas.microsoft.com/identity/claims/objectidentifier"] ?? "",
          },
        ]
      : [],
  );
}

describe("ResourceWriteSuccess events for writes", () => {
  it("the webhook got the validation handshake at start", () => {
    expect(webhook.calls[0]?.eventType).toBe("SubscriptionValidation");
  });

  it("an async PATCH raises registeredServers/write once the operation completes, with the caller's oid", async () => {
    const server = `${SERVICE1}/registeredServers/5e7e0001-0000-4000-8000-000000000001`;
    await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${server}?api-version=2022-09-01`, {
      properties: { identity: true },
    });
    const writes = writeEvents(await notifications());
    expect(writes).toContainEqual({
      subject: server,
      operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
      principal: h.emulator.callerPrincipalId,
    });
    const event = (await notifications()).find((e) => e.subject === server);
    // The role that allowed the write, as ARM's evidence says.
    expect((event?.data as { authorization: { evidence: { role: string } } }).authorization.evidence.role).toBe(
      "Azure File Sync Administrator",
    );
  });

  it("role assignment writes, agent registrations and machine identity changes raise their events; discovery does not", async () => {
    const share = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin/fileServices/default/fileshares/finance`;
    const assignment = await h.authorization().roleAssignments.create(share, "5b000000-0000-4000-8000-000000000001", {
      roleDefinitionId: `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
      principalId: "a7c00001-0000-4000-8000-000000000001",
      principalType: "ServicePrincipal",
    });
    const registered = await h.emulator.admin.registerServer({ serviceId: SERVICE1, serverName: "fs09.contoso.local" });
    const machine = `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs02`;
    await h.emulator.admin.setMachineIdentity(machine, "reset");
    const before = (await notifications()).length;
    await h.emulator.admin.advanceTime(5_000); // discovery happens: no event
    await h.emulator.admin.getServer(`${SERVICE1}/registeredServers/5e7e0002-0000-4000-8000-000000000002`);
    const events = await notifications();
    expect(events).toHaveLength(before);
    const ops = writeEvents(events).map((w) => `${w.operationName} ${w.subject}`);
    expect(ops).toContain(`Microsoft.Authorization/roleAssignments/write ${assignment.id}`);
    expect(ops).toContain(`Microsoft.StorageSync/storageSyncServices/registeredServers/write ${registered}`);
    expect(ops).toContain(`Microsoft.HybridCompute/machines/write ${machine}`);
    expect(webhook.calls.every((c) => c.headers["aeg-event-type"] !== undefined)).toBe(true);
  });

  it("failed writes raise nothing", async () => {
    const before = (await notifications()).length;
    await expect(h.storageSync().storageSyncServices.get("rg-filesync", "missing")).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(
      h
        .authorization()
        .roleAssignments.create(
          `/subscriptions/${SUB1}/resourceGroups/rg-nope`,
          "5b000000-0000-4000-8000-000000000002",
          {
            roleDefinitionId: `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.reader}`,
            principalId: "a7c00001-0000-4000-8000-000000000001",
            principalType: "ServicePrincipal",
          },
        ),
    ).rejects.toMatchObject({ statusCode: 404 });
    expect(await notifications()).toHaveLength(before);
  });
});

describe("unsubscribing", () => {
  it("a removed webhook receives nothing more", async () => {
    await h.emulator.admin.removeWebhook(webhook.url);
    expect((await h.emulator.admin.webhooks()).registered).toEqual([]);
    const before = webhook.calls.length;
    await h.emulator.admin.registerServer({ serviceId: SERVICE1, serverName: "fs10.contoso.local" });
    await h.emulator.admin.flushEvents();
    expect(webhook.calls.length).toBe(before);
    await expect(h.emulator.admin.removeWebhook(webhook.url)).rejects.toMatchObject({ status: 404 });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
