import { readFileSync } from "node:fs";
import path from "node:path";
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { describe, expect, it } from "vitest";
import { armOperationName, resourceWriteSuccessEvent } from "../../../../../dev/emulator/events/resource-write-event";

const SUB = "11111111-2222-3333-4444-555555555555";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OID = "7c2b9c4e-1f6a-4d3b-8e2f-9a0b1c2d3e4f";
const SERVER = `/subscriptions/${SUB}/resourceGroups/rg-sync/providers/Microsoft.StorageSync/storageSyncServices/sss1/registeredServers/3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64`;
const example = JSON.parse(
  readFileSync(path.join(__dirname, "../../../../../specs/eventgrid/ResourceWriteSuccess.example.json"), "utf8"),
) as Array<Record<string, unknown>>;

function keysOf(value: unknown): string[] {
  return Object.keys(value as Record<string, unknown>).sort();
}

describe("resourceWriteSuccessEvent", () => {
  const eventTime = new Date("2026-11-26T10:00:00.000Z");
  const event = resourceWriteSuccessEvent({
    resourceUri: SERVER,
    operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
    subscriptionId: SUB,
    tenantId: TENANT,
    principalOid: OID,
    correlationId: "c0ffee00-0000-4000-8000-000000000001",
    eventTime,
    httpMethod: "patch",
  });

  it("has the documented example's envelope and data fields (plus httpRequest and resourceGroup)", () => {
    const documented = example[0]!;
    expect(keysOf(event)).toEqual(keysOf(documented));
    expect(keysOf(event.data)).toEqual([...keysOf(documented.data), "httpRequest", "resourceGroup"].sort());
    expect(keysOf(event.data.authorization)).toEqual(
      keysOf((documented.data as Record<string, unknown>).authorization),
    );
    expect(event).toMatchObject({
      topic: `/subscriptions/${SUB}`,
      subject: SERVER,
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      eventTime: "2026-11-26T10:00:00.000Z",
      dataVersion: documented.dataVersion,
      metadataVersion: "1",
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.data).toMatchObject({
      resourceUri: SERVER,
      resourceProvider: "Microsoft.StorageSync",
      resourceGroup: "rg-sync",
      operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
      status: "Succeeded",
      subscriptionId: SUB,
      tenantId: TENANT,
      correlationId: "c0ffee00-0000-4000-8000-000000000001",
      authorization: { scope: SERVER, action: "Microsoft.StorageSync/storageSyncServices/registeredServers/write" },
      httpRequest: { method: "PATCH", url: `https://management.azure.com${SERVER}` },
    });
    expect(event.data.claims["http://schemas.microsoft.com/identity/claims/objectidentifier"]).toBe(OID);
    expect(Object.values(event.data.claims).every((v) => typeof v === "string")).toBe(true);
  });

  it("is accepted by @azure/eventgrid's deserializer as a ResourceWriteSuccess system event", async () => {
    const [parsed] = await new EventGridDeserializer().deserializeEventGridEvents(JSON.stringify([event]));
    expect(parsed).toBeDefined();
    expect(isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", parsed!)).toBe(true);
    if (isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", parsed!)) {
      expect(parsed.data.resourceUri).toBe(SERVER);
      expect(parsed.data.operationName).toBe("Microsoft.StorageSync/storageSyncServices/registeredServers/write");
      expect(parsed.eventTime.toISOString()).toBe("2026-11-26T10:00:00.000Z");
    }
  });

  it("defaults status, correlation id and time, and gives every event its own id", () => {
    const a = resourceWriteSuccessEvent({
      resourceUri: SERVER,
      operationName: "x/write",
      subscriptionId: SUB,
      tenantId: TENANT,
      principalOid: OID,
    });
    const b = resourceWriteSuccessEvent({
      resourceUri: SERVER,
      operationName: "x/write",
      subscriptionId: SUB,
      tenantId: TENANT,
      principalOid: OID,
    });
    expect(a.data.status).toBe("Succeeded");
    expect(a.id).not.toBe(b.id);
    expect(a.data.correlationId).not.toBe(b.data.correlationId);
    expect(Math.abs(Date.parse(a.eventTime) - Date.now())).toBeLessThan(60_000);
  });
});

describe("armOperationName", () => {
  it.each([
    [SERVER, "PATCH", "Microsoft.StorageSync/storageSyncServices/registeredServers/write"],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/s/syncGroups/g/serverEndpoints/e`,
      "PUT",
      "Microsoft.StorageSync/storageSyncServices/syncGroups/serverEndpoints/write",
    ],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m`,
      "PATCH",
      "Microsoft.HybridCompute/machines/write",
    ],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v`,
      "DELETE",
      "Microsoft.Compute/virtualMachines/delete",
    ],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/fileServices/default/fileshares/s/providers/Microsoft.Authorization/roleAssignments/r`,
      "PUT",
      "Microsoft.Authorization/roleAssignments/write",
    ],
  ])("%s %s → %s", (uri, method, expected) => {
    expect(armOperationName(uri, method)).toBe(expected);
  });

  it("refuses an id without a provider", () => {
    expect(() => armOperationName(`/subscriptions/${SUB}`, "PUT")).toThrow(/Not a provider resource id/);
  });
});
