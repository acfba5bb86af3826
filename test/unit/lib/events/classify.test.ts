import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyArmEvent } from "../../../../src/lib/events/classify";
import { hostNamesMatch } from "../../../../src/lib/reconcile/host-name";

const SUB = "00000000-0000-0000-0000-00000000000a";
const scopes = [`/subscriptions/${SUB}/resourceGroups/rg-files`];
const service = `/subscriptions/${SUB}/resourceGroups/rg-files/providers/Microsoft.StorageSync/storageSyncServices/sss`;

function event(operationName: string, resourceUri: string, extra: Record<string, unknown> = {}) {
  return {
    id: "e1",
    topic: `/subscriptions/${SUB}`,
    subject: resourceUri,
    eventType: "Microsoft.Resources.ResourceWriteSuccess",
    eventTime: "2026-01-01T00:00:00Z",
    dataVersion: "2",
    metadataVersion: "1",
    data: { operationName, resourceUri, status: "Succeeded", claims: { name: "Alice" } },
    ...extra,
  };
}

describe("classifyArmEvent", () => {
  it.each([
    ["registeredServers/write", `${service}/registeredServers/aaaaaaaa-0000-0000-0000-000000000001`],
    ["syncGroups/cloudEndpoints/write", `${service}/syncGroups/sg/cloudEndpoints/ce`],
    ["syncGroups/serverEndpoints/write", `${service}/syncGroups/sg/serverEndpoints/se`],
  ])("%s → reconcile of the parent service", (op, uri) => {
    const result = classifyArmEvent(event(`Microsoft.StorageSync/storageSyncServices/${op}`, uri), scopes);
    expect(result).toMatchObject({
      action: "reconcileService",
      serviceId: service,
      trigger: { kind: "event", eventId: "e1", caller: "Alice" },
    });
  });

  it.each([
    [`${service}/registeredServers/not-a-guid`, 'registered server id "not-a-guid" is not a GUID'],
    [
      `${service.replace("rg-files", "rg-files/..")}/registeredServers/aaaaaaaa-0000-0000-0000-000000000001`,
      '".." segment',
    ],
    [`${service}./registeredServers/aaaaaaaa-0000-0000-0000-000000000001`, "cannot end with a period"],
  ])("an event for %s, an id ARM does not allow, is rejected saying why", (uri, why) => {
    const result = classifyArmEvent(
      event("Microsoft.StorageSync/storageSyncServices/registeredServers/write", uri),
      scopes,
    );
    expect(result.action).toBe("reject");
    expect(result.action === "reject" ? result.reason : "").toContain(why);
  });

  it("matches operation names case-insensitively", () => {
    const uri = `${service.toLowerCase()}/registeredservers/aaaaaaaa-0000-0000-0000-000000000001`;
    expect(
      classifyArmEvent(event("MICROSOFT.STORAGESYNC/storageSyncServices/registeredServers/WRITE", uri), scopes).action,
    ).toBe("reconcileService");
  });

  it.each([
    [
      "Microsoft.HybridCompute/machines/write",
      `/subscriptions/${SUB}/resourceGroups/rg-files/providers/Microsoft.HybridCompute/machines/srv01`,
    ],
    [
      "Microsoft.Compute/virtualMachines/write",
      `/subscriptions/${SUB}/resourceGroups/rg-files/providers/Microsoft.Compute/virtualMachines/vm1`,
    ],
  ])("%s → inspect the machine", (op, uri) => {
    expect(classifyArmEvent(event(op, uri), scopes)).toMatchObject({ action: "inspectMachine", machineId: uri });
  });

  it("accepts the CloudEvents schema too", () => {
    const uri = `${service}/registeredServers/aaaaaaaa-0000-0000-0000-000000000001`;
    const cloud = {
      specversion: "1.0",
      id: "c1",
      type: "Microsoft.Resources.ResourceWriteSuccess",
      source: "/subscriptions/x",
      subject: uri,
      time: "2026-01-01T00:00:00Z",
      data: { operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write", resourceUri: uri },
    };
    expect(classifyArmEvent(cloud, scopes)).toMatchObject({ action: "reconcileService", serviceId: service });
  });

  it("ignores other operations, other event types and resources outside the scopes", () => {
    expect(
      classifyArmEvent(
        event(
          "Microsoft.Storage/storageAccounts/write",
          `/subscriptions/${SUB}/resourceGroups/rg-files/providers/Microsoft.Storage/storageAccounts/st`,
        ),
        scopes,
      ).action,
    ).toBe("ignore");
    expect(
      classifyArmEvent({ ...event("x", service), eventType: "Microsoft.Resources.ResourceDeleteSuccess" }, scopes)
        .action,
    ).toBe("ignore");
    const outside = service.replace("rg-files", "rg-other");
    expect(
      classifyArmEvent(
        event("Microsoft.StorageSync/storageSyncServices/registeredServers/write", `${outside}/registeredServers/a`),
        scopes,
      ),
    ).toMatchObject({ action: "ignore", reason: expect.stringMatching(/outside MANAGED_SCOPES/) });
  });

  it("rejects malformed events with a reason naming what is wrong", () => {
    expect(classifyArmEvent(null, scopes)).toMatchObject({
      action: "reject",
      reason: expect.stringMatching(/not a JSON object/),
    });
    expect(classifyArmEvent({ ...event("x", service), id: undefined }, scopes)).toMatchObject({
      action: "reject",
      reason: expect.stringMatching(/id/),
    });
    expect(
      classifyArmEvent(
        { ...event("x", service), data: { operationName: "Microsoft.Compute/virtualMachines/write" } },
        scopes,
      ),
    ).toMatchObject({
      action: "reject",
      reason: expect.stringMatching(/resourceUri/),
    });
    expect(classifyArmEvent(event("Microsoft.Compute/virtualMachines/write", "not-an-id"), scopes)).toMatchObject({
      action: "reject",
      reason: expect.stringMatching(/Invalid ARM resource id/),
    });
    expect(
      classifyArmEvent(
        event(
          "Microsoft.Compute/virtualMachines/write",
          `/subscriptions/${SUB}/resourceGroups/rg-files/providers/Microsoft.Storage/storageAccounts/st`,
        ),
        scopes,
      ).action,
    ).toBe("reject");
  });

  it("property: never throws, whatever arrives", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            id: fc.string(),
            eventType: fc.constant("Microsoft.Resources.ResourceWriteSuccess"),
            subject: fc.string(),
            data: fc.dictionary(fc.string(), fc.anything()),
          }),
        ),
        (raw) => {
          const result = classifyArmEvent(raw, scopes);
          expect(["reconcileService", "inspectMachine", "ignore", "reject"]).toContain(result.action);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("hostNamesMatch", () => {
  it("matches FQDN or short names, case-insensitively", () => {
    expect(hostNamesMatch("SRV01", ["srv01.contoso.com"])).toBe(true);
    expect(hostNamesMatch("srv01.contoso.com", [undefined, "Srv01"])).toBe(true);
    expect(hostNamesMatch("srv01", ["srv011"])).toBe(false);
    expect(hostNamesMatch("", ["srv01"])).toBe(false);
    expect(hostNamesMatch("srv01", ["", undefined])).toBe(false);
  });
});

describe("machineHostNames", () => {
  it("collects the resource name, Arc FQDN/display name and the OS computer name, lower-cased and deduplicated", async () => {
    const { machineHostNames } = await import("../../../../src/lib/azure/machines");
    expect(machineHostNames("vm-br02", { properties: { osProfile: { computerName: "BR02" } } })).toEqual([
      "vm-br02",
      "br02",
    ]);
    expect(
      machineHostNames("fs01", { properties: { machineFqdn: "fs01.contoso.local", displayName: "fs01" } }),
    ).toEqual(["fs01", "fs01.contoso.local"]);
    expect(machineHostNames("x", null)).toEqual(["x"]);
  });
});
