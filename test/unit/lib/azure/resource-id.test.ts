import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isWithinScopes,
  lastSegment,
  parseResourceId,
  storageSyncServiceIdOf,
} from "../../../../src/lib/azure/resource-id";

const SERVICE =
  "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";

describe("parseResourceId", () => {
  it("parses resources, resource groups and subscriptions, tolerating double and trailing slashes", () => {
    const server = parseResourceId(`/${SERVICE}/registeredServers/ABC/`);
    expect(server).toMatchObject({
      id: `${SERVICE}/registeredServers/ABC`,
      subscriptionId: "11111111-1111-1111-1111-111111111111",
      resourceGroup: "rg",
      provider: "Microsoft.StorageSync",
      resourceType: "Microsoft.StorageSync/storageSyncServices/registeredServers",
      name: "ABC",
    });
    expect(parseResourceId("/subscriptions/X/resourceGroups/y")).toMatchObject({
      subscriptionId: "x",
      resourceGroup: "y",
      segments: [],
    });
    expect(parseResourceId("/SUBSCRIPTIONS/x").provider).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["/resourceGroups/rg", "/subscriptions/{subscriptionId}"],
    ["/subscriptions/x/resourceGroups", "no name"],
    ["/subscriptions/x/resourceGroups/rg/storageAccounts/a", "/providers/"],
    ["/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts", "pairs"],
  ])("rejects %j with a message saying why", (id, why) => {
    expect(() => parseResourceId(id)).toThrow(why);
  });
});

describe("scopes", () => {
  it("contains a resource in its subscription or resource group, case-insensitively, never a sibling with a common prefix", () => {
    expect(isWithinScopes(SERVICE, ["/subscriptions/11111111-1111-1111-1111-111111111111/RESOURCEGROUPS/RG"])).toBe(
      true,
    );
    expect(isWithinScopes(SERVICE, ["/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/r"])).toBe(
      false,
    );
    expect(isWithinScopes(SERVICE, [])).toBe(false);
  });

  it("finds the parent service of any Storage Sync child, and nothing for other resources", () => {
    for (const child of [
      "",
      "/registeredServers/g",
      "/syncGroups/sg",
      "/syncGroups/sg/cloudEndpoints/ce",
      "/syncGroups/sg/serverEndpoints/se",
    ]) {
      expect(storageSyncServiceIdOf(`${SERVICE}${child}`)).toBe(SERVICE);
    }
    expect(
      storageSyncServiceIdOf("/subscriptions/x/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m"),
    ).toBeUndefined();
    expect(storageSyncServiceIdOf("not an id")).toBeUndefined();
  });

  it("every id is within its own ancestors and its parent service is a prefix of it", () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    fc.assert(
      fc.property(segment, segment, segment, (rg, name, child) => {
        const id = `/subscriptions/s1/resourceGroups/${rg}/providers/Microsoft.StorageSync/storageSyncServices/${name}/syncGroups/${child}`;
        expect(isWithinScopes(id.toUpperCase(), [`/subscriptions/s1/resourceGroups/${rg}`])).toBe(true);
        expect(id.startsWith(storageSyncServiceIdOf(id) as string)).toBe(true);
        expect(lastSegment(id)).toBe(child);
      }),
    );
  });
});
