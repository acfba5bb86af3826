import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpecCatalog } from "../../../../src/lib/spec/catalog";

const catalog = SpecCatalog.load();

const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,11}$/).filter((s) => s.toLowerCase() !== "providers");
const guid = fc.uuid();
/** ARM-like scopes: subscription, resource group, a resource, and a nested child resource (a file share). */
const scope = fc.oneof(
  guid.map((s) => `/subscriptions/${s}`),
  fc.tuple(guid, segment).map(([s, rg]) => `/subscriptions/${s}/resourceGroups/${rg}`),
  fc
    .tuple(guid, segment, segment)
    .map(([s, rg, a]) => `/subscriptions/${s}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${a}`),
  fc
    .tuple(guid, segment, segment, segment)
    .map(
      ([s, rg, a, sh]) =>
        `/subscriptions/${s}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${a}/fileServices/default/fileshares/${sh}`,
    ),
);

function shout(path: string): string {
  // Upper-case only the literal ARM words, as a client with different casing would send them.
  return path.replace(/\/(providers|resourceGroups|subscriptions|roleAssignments)\//gi, (m) => m.toUpperCase());
}

describe("SpecCatalog.match properties", () => {
  it("a role assignment at any scope round-trips its scope and name, whatever the slashes and casing", () => {
    fc.assert(
      fc.property(scope, guid, fc.constantFrom("", "/", "//"), fc.boolean(), (s, name, extraSlash, upper) => {
        let path = `${extraSlash}${s}/providers/Microsoft.Authorization/roleAssignments/${name}`;
        if (upper) path = shout(path);
        const match = catalog.match("PUT", path);
        expect(match?.operation.operationId).toBe("RoleAssignments_Create");
        expect(match?.pathParams.roleAssignmentName).toBe(name);
        expect(match?.pathParams.scope?.toLowerCase()).toBe(s.toLowerCase());
      }),
    );
  });

  it("storage sync paths match the same operation with doubled slashes and any casing of literals", () => {
    fc.assert(
      fc.property(guid, segment, segment, segment, fc.boolean(), (sub, rg, svc, group, upper) => {
        const path = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.StorageSync/storageSyncServices/${svc}/syncGroups/${group}/serverEndpoints`;
        const variant = (
          upper
            ? path.replace(/Microsoft\.StorageSync\/storageSyncServices/, "MICROSOFT.STORAGESYNC/STORAGESYNCSERVICES")
            : path
        ).replace(/\//g, "//");
        const a = catalog.match("GET", path);
        const b = catalog.match("GET", variant);
        expect(a?.operation.operationId).toBe("ServerEndpoints_ListBySyncGroup");
        expect(b?.operation.operationId).toBe(a?.operation.operationId);
        expect(b?.pathParams).toEqual({
          subscriptionId: sub,
          resourceGroupName: rg,
          storageSyncServiceName: svc,
          syncGroupName: group,
        });
      }),
    );
  });

  it("validation never throws, whatever the body", () => {
    const match = catalog.match(
      "PUT",
      `/subscriptions/${"1".repeat(8)}-1111-1111-1111-${"1".repeat(12)}/providers/Microsoft.Authorization/roleAssignments/0b3d8c6f-7c6b-5d9e-9a3c-2f1e0d4c5b6a`,
    )!;
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.string(), fc.record({ properties: fc.dictionary(fc.string(), fc.jsonValue()) })),
        (body) => {
          const result = catalog.validateRequest(match, {
            query: new URLSearchParams({ "api-version": "2022-04-01" }),
            body,
          });
          if (result) expect(result.status).toBe(400);
        },
      ),
    );
  });
});
