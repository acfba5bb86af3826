/**
 * The Event Grid filter in infra/ against the events code: every operation the
 * filter lets through is acted on, and the code acts on no operation the filter
 * drops (which would then never arrive in Azure).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyArmEvent } from "../../src/lib/events/classify";
import { BicepServer } from "./support/bicep-cli";
import { deploy, single } from "./support/deployment";

const SUBSCRIPTION = "/subscriptions/5f8b4a2e-0c1d-4e6f-9a7b-3c2d1e0f9a8b";
const RESOURCE_GROUP = `${SUBSCRIPTION}/resourceGroups/rg-sync`;

let filteredOperations: string[] = [];
let eventType: string | undefined;

/** The filter of the event subscription the postdeploy deployment creates, as Bicep evaluates it. */
beforeAll(async () => {
  const server = BicepServer.start();
  try {
    const { events } = await deploy(server, { managedScopes: SUBSCRIPTION });
    const filter = single(events, "Microsoft.EventGrid/systemTopics/eventSubscriptions").properties?.filter as {
      includedEventTypes: string[];
      advancedFilters: { operatorType: string; key: string; values: string[] }[];
    };
    expect(filter.includedEventTypes).toHaveLength(1);
    expect(filter.advancedFilters.map((f) => [f.operatorType, f.key])).toEqual([["StringIn", "data.operationName"]]);
    eventType = filter.includedEventTypes[0];
    filteredOperations = filter.advancedFilters[0]?.values ?? [];
  } finally {
    await server.close();
  }
}, 120_000);

/**
 * A resource id that an operation like `Microsoft.X/a/b/write` writes: `.../providers/Microsoft.X/a/a1/b/b1` (a
 * registered server is named by its GUID, as ARM requires).
 */
function resourceIdFor(operation: string): string {
  const [namespace = "", ...types] = operation.replace(/\/write$/i, "").split("/");
  const name = (t: string, i: number) =>
    /^registeredServers$/i.test(t) ? "5e7e0000-0000-4000-8000-000000000001" : `${t.toLowerCase()}${i + 1}`;
  return `${RESOURCE_GROUP}/providers/${namespace}/${types.map((t, i) => `${t}/${name(t, i)}`).join("/")}`;
}

function writeEvent(operation: string, resourceUri = resourceIdFor(operation)) {
  return {
    id: "5e4b3a2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c",
    eventType,
    subject: resourceUri,
    eventTime: "2026-11-26T10:00:00Z",
    dataVersion: "2",
    data: { operationName: operation, resourceUri, status: "Succeeded" },
  };
}

describe("Event Grid filter vs the events code", () => {
  it("filters on the event type the code handles, for the five ARM writes that can change what a reconcile must do (servers, cloud and server endpoints, Arc machines, VMs)", () => {
    expect(eventType).toBe("Microsoft.Resources.ResourceWriteSuccess");
    expect(filteredOperations).toHaveLength(5);
    expect(new Set(filteredOperations.map((o) => o.toLowerCase())).size).toBe(5);
  });

  it("acts on every operation the filter lets through, in any letter case (StringIn ignores case)", () => {
    for (const operation of filteredOperations) {
      for (const spelling of [operation, operation.toUpperCase(), operation.toLowerCase()]) {
        const result = classifyArmEvent(writeEvent(spelling, resourceIdFor(operation)), [SUBSCRIPTION]);
        expect(result.action, `${spelling}: ${"reason" in result ? result.reason : ""}`).toMatch(
          /^(reconcileService|inspectMachine)$/,
        );
      }
    }
  });

  it("ignores the writes the filter drops, so nothing the code needs is filtered out", () => {
    const filtered = new Set(filteredOperations.map((o) => o.toLowerCase()));
    const nearMisses = [
      // The five: dropping one from the filter while the code still handles it fails here.
      "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
      "Microsoft.StorageSync/storageSyncServices/syncGroups/cloudEndpoints/write",
      "Microsoft.StorageSync/storageSyncServices/syncGroups/serverEndpoints/write",
      "Microsoft.HybridCompute/machines/write",
      "Microsoft.Compute/virtualMachines/write",
      "Microsoft.StorageSync/storageSyncServices/write",
      "Microsoft.StorageSync/storageSyncServices/syncGroups/write",
      "Microsoft.StorageSync/storageSyncServices/registeredServers/delete",
      "Microsoft.StorageSync/storageSyncServices/syncGroups/serverEndpoints/delete",
      "Microsoft.HybridCompute/machines/extensions/write",
      "Microsoft.Compute/virtualMachines/extensions/write",
      "Microsoft.Storage/storageAccounts/write",
      "Microsoft.Authorization/roleAssignments/write",
    ];
    const segment = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/);
    const randomWrite = fc
      .tuple(segment, fc.array(segment, { minLength: 1, maxLength: 3 }))
      .map(([ns, types]) => `Microsoft.${ns}/${types.join("/")}/write`);
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...nearMisses), randomWrite), (operation) => {
        fc.pre(!filtered.has(operation.toLowerCase()));
        expect(classifyArmEvent(writeEvent(operation), [SUBSCRIPTION]).action, operation).toBe("ignore");
      }),
      { numRuns: 300 },
    );
  });
});
