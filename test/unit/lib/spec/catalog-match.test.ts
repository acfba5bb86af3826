import { describe, expect, it } from "vitest";
import { SpecCatalog } from "../../../../src/lib/spec/catalog";

const catalog = SpecCatalog.load();
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const RG = `${SUB}/resourceGroups/rg-sync`;
const SVC = `${RG}/providers/Microsoft.StorageSync/storageSyncServices/sss1`;
const SHARE = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acct1/fileServices/default/fileshares/share1`;
const RA = "/providers/Microsoft.Authorization/roleAssignments";

describe("SpecCatalog.match: every operation the product uses", () => {
  it.each([
    ["GET", SVC, "StorageSyncServices_Get", false, false],
    ["PATCH", SVC, "StorageSyncServices_Update", true, true],
    ["PUT", SVC, "StorageSyncServices_Create", true, true],
    ["DELETE", SVC, "StorageSyncServices_Delete", true, true],
    [
      "GET",
      `${RG}/providers/Microsoft.StorageSync/storageSyncServices`,
      "StorageSyncServices_ListByResourceGroup",
      false,
      false,
    ],
    [
      "GET",
      `${SUB}/providers/Microsoft.StorageSync/storageSyncServices`,
      "StorageSyncServices_ListBySubscription",
      false,
      false,
    ],
    ["GET", `${SVC}/registeredServers`, "RegisteredServers_ListByStorageSyncService", false, false],
    ["GET", `${SVC}/registeredServers/3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64`, "RegisteredServers_Get", false, false],
    ["PATCH", `${SVC}/registeredServers/3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64`, "RegisteredServers_Update", true, true],
    ["PUT", `${SVC}/registeredServers/3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64`, "RegisteredServers_Create", true, true],
    ["DELETE", `${SVC}/registeredServers/3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64`, "RegisteredServers_Delete", true, true],
    ["GET", `${SVC}/syncGroups`, "SyncGroups_ListByStorageSyncService", false, false],
    ["GET", `${SVC}/syncGroups/sg1`, "SyncGroups_Get", false, false],
    ["PUT", `${SVC}/syncGroups/sg1`, "SyncGroups_Create", false, true],
    ["DELETE", `${SVC}/syncGroups/sg1`, "SyncGroups_Delete", false, true],
    ["GET", `${SVC}/syncGroups/sg1/cloudEndpoints`, "CloudEndpoints_ListBySyncGroup", false, false],
    ["GET", `${SVC}/syncGroups/sg1/cloudEndpoints/ce1`, "CloudEndpoints_Get", false, false],
    ["PUT", `${SVC}/syncGroups/sg1/cloudEndpoints/ce1`, "CloudEndpoints_Create", true, true],
    ["GET", `${SVC}/syncGroups/sg1/serverEndpoints`, "ServerEndpoints_ListBySyncGroup", false, false],
    ["GET", `${SVC}/syncGroups/sg1/serverEndpoints/se1`, "ServerEndpoints_Get", false, false],
    ["PUT", `${SVC}/syncGroups/sg1/serverEndpoints/se1`, "ServerEndpoints_Create", true, true],
    [
      "GET",
      `${SUB}/providers/Microsoft.StorageSync/locations/westus/operations/op1`,
      "LocationOperationStatus",
      false,
      false,
    ],
    [
      "GET",
      `${SVC}/workflows/wf1/operations/op1`.replace(
        "/storageSyncServices/sss1/workflows",
        "/locations/westus/workflows",
      ),
      "OperationStatus_Get",
      false,
      false,
    ],
    ["GET", `${RG}/providers/Microsoft.HybridCompute/machines/arc1`, "Machines_Get", false, false],
    ["PATCH", `${RG}/providers/Microsoft.HybridCompute/machines/arc1`, "Machines_Update", false, true],
    ["PUT", `${RG}/providers/Microsoft.HybridCompute/machines/arc1`, "Machines_CreateOrUpdate", false, true],
    ["GET", `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`, "VirtualMachines_Get", false, false],
    ["PATCH", `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`, "VirtualMachines_Update", true, true],
    [
      "GET",
      `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acct1`,
      "StorageAccounts_GetProperties",
      false,
      false,
    ],
    ["GET", SHARE, "FileShares_Get", false, false],
    ["GET", SHARE.replace("fileshares", "shares"), "FileShares_Get", false, false],
    [
      "GET",
      `/providers/Microsoft.Authorization/roleDefinitions/17d1049b-9a84-46fb-8f53-869881c3d3ab`,
      "RoleDefinitions_Get",
      false,
      false,
    ],
    [
      "GET",
      `${SUB}/providers/Microsoft.Authorization/roleDefinitions/69566ab7-960f-475b-8e7c-b3118f30c6bd`,
      "RoleDefinitions_Get",
      false,
      false,
    ],
  ])("%s %s → %s", (method, path, operationId, longRunning, isWrite) => {
    const match = catalog.match(method, path);
    expect(match?.operation.operationId).toBe(operationId);
    expect(match?.operation.longRunning).toBe(longRunning);
    expect(match?.operation.isWrite).toBe(isWrite);
  });

  it("extracts decoded path parameters", () => {
    const match = catalog.match("GET", `${SVC}/syncGroups/my%20group/serverEndpoints/se1`);
    expect(match?.pathParams).toEqual({
      subscriptionId: "11111111-2222-3333-4444-555555555555",
      resourceGroupName: "rg-sync",
      storageSyncServiceName: "sss1",
      syncGroupName: "my group",
      serverEndpointName: "se1",
    });
  });

  it("matches provider and segment names case-insensitively, as ARM does", () => {
    const match = catalog.match(
      "get",
      SVC.replace("resourceGroups", "resourcegroups")
        .replace("Microsoft.StorageSync", "microsoft.storagesync")
        .replace("storageSyncServices", "STORAGESYNCSERVICES"),
    );
    expect(match?.operation.operationId).toBe("StorageSyncServices_Get");
    expect(match?.pathParams.storageSyncServiceName).toBe("sss1");
  });

  it("ignores a trailing slash and a query string in the path", () => {
    expect(catalog.match("GET", `${SVC}/?api-version=2022-09-01`)?.operation.operationId).toBe(
      "StorageSyncServices_Get",
    );
  });

  describe("role assignments at any scope", () => {
    const name = "0b3d8c6f-7c6b-5d9e-9a3c-2f1e0d4c5b6a";
    it.each([
      ["subscription", SUB],
      ["resource group", RG],
      ["storage account", `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acct1`],
      ["file share", SHARE],
      ["root", ""],
    ])("PUT/GET/DELETE at %s scope, with and without the SDK's double slash", (_label, scope) => {
      for (const prefix of ["", "/"]) {
        for (const [method, operationId] of [
          ["PUT", "RoleAssignments_Create"],
          ["GET", "RoleAssignments_Get"],
          ["DELETE", "RoleAssignments_Delete"],
        ] as const) {
          const match = catalog.match(method, `${prefix}${scope}${RA}/${name}`);
          expect(match?.operation.operationId).toBe(operationId);
          expect(match?.pathParams).toEqual({ scope: scope === "" ? "/" : scope, roleAssignmentName: name });
        }
      }
      expect(catalog.match("PUT", `/${scope}${RA}/${name}`)?.operation.isWrite).toBe(true);
    });

    it("lists at a file share scope (a scope that itself contains /providers/)", () => {
      const match = catalog.match("GET", `/${SHARE}${RA}`);
      expect(match?.operation.operationId).toBe("RoleAssignments_ListForScope");
      expect(match?.pathParams.scope).toBe(SHARE);
    });

    it("lists at subscription and resource group with the dedicated operations, deriving the scope", () => {
      const bySub = catalog.match("GET", `${SUB}${RA}`);
      expect(bySub?.operation.operationId).toBe("RoleAssignments_ListForSubscription");
      expect(bySub?.pathParams.scope).toBe(SUB);
      const byRg = catalog.match("GET", `${RG}${RA}`);
      expect(byRg?.operation.operationId).toBe("RoleAssignments_ListForResourceGroup");
      expect(byRg?.pathParams.scope).toBe(RG);
    });

    it("routes the by-id form (/{roleAssignmentId}) to the scoped operation it is identical to on the wire", () => {
      const match = catalog.match("GET", `/${SUB}${RA}/${name}`);
      expect(match?.operation.operationId).toBe("RoleAssignments_Get");
    });

    it("does not let a bare path match the catch-all by-id templates", () => {
      expect(catalog.match("GET", "/whatever")).toBeUndefined();
      expect(catalog.match("GET", `${SUB}/resourceGroups/rg/providers/Microsoft.Unknown/things/x`)).toBeUndefined();
    });
  });

  it("returns undefined for a known path under another method, and says the path exists", () => {
    expect(catalog.match("POST", SVC)).toBeUndefined();
    expect(catalog.matchesAnyMethod(SVC)).toBe(true);
    expect(catalog.matchesAnyMethod(`${SVC}/nonsense/x`)).toBe(false);
  });

  it("knows the api-versions ARM accepts and the spec's own version", () => {
    const op = catalog.operation("RegisteredServers_Get")!;
    expect(op.specApiVersion).toBe("2022-09-01");
    expect(op.apiVersions).toContain("2020-09-01");
    expect(catalog.operation("RoleAssignments_Create")!.apiVersions).toContain("2022-04-01");
    expect(catalog.operation("Machines_Get")!.source).toBe("builtin");
  });
});
