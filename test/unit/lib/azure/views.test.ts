import { describe, expect, it } from "vitest";
import { normalizeGuid } from "../../../../src/lib/azure/guid";
import {
  toCloudEndpointView,
  toRegisteredServerView,
  toServiceIdentityType,
  toStorageAccountView,
  toStorageSyncServiceView,
} from "../../../../src/lib/azure/views";

const SERVICE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";

describe("ARM body normalisation", () => {
  it("treats zero, empty, quoted and braced GUIDs as the spec examples write them", () => {
    expect(normalizeGuid("00000000-0000-0000-0000-000000000000")).toBeUndefined();
    expect(normalizeGuid("")).toBeUndefined();
    expect(normalizeGuid('"3A048283-338F-4002-A9DD-A50FDADCB392"')).toBe("3a048283-338f-4002-a9dd-a50fdadcb392");
    expect(normalizeGuid("{3a048283-338f-4002-a9dd-a50fdadcb392}")).toBe("3a048283-338f-4002-a9dd-a50fdadcb392");
    expect(normalizeGuid(42)).toBeUndefined();
  });

  it("reads a registered server defensively", () => {
    const view = toRegisteredServerView(
      {
        id: `${SERVICE}/registeredServers/530A0384-50AC-456D-8240-9D6621404151`,
        properties: {
          serverRole: "clusternode",
          clusterId: "00000000-0000-0000-0000-000000000000",
          clusterName: "",
          applicationId: "00000000-0000-0000-0000-000000000001",
          latestApplicationId: "00000000-0000-0000-0000-000000000000",
          serverAuthType: "certificate",
          serverName: "host1.contoso.com",
          agentVersion: "19.1.0.0",
        },
      },
      SERVICE,
    );
    expect(view).toMatchObject({
      serverId: "530a0384-50ac-456d-8240-9d6621404151",
      name: "host1.contoso.com",
      serverRole: "ClusterNode",
      clusterId: undefined,
      clusterName: undefined,
      applicationId: "00000000-0000-0000-0000-000000000001",
      latestApplicationId: undefined,
      activeAuthType: "Certificate",
    });
  });

  it("reads the service identity and UseIdentity in any casing", () => {
    const view = toStorageSyncServiceView(
      {
        id: SERVICE,
        identity: { type: "userassigned", userAssignedIdentities: { "/u/1": {} } },
        properties: { UseIdentity: true },
      },
      SERVICE,
    );
    expect(view.identity).toEqual({
      type: "UserAssigned",
      principalId: undefined,
      tenantId: undefined,
      userAssignedIdentityIds: ["/u/1"],
    });
    expect(view.useIdentity).toBe(true);
    expect(toServiceIdentityType("SystemAssigned, UserAssigned")).toBe("SystemAssigned,UserAssigned");
    expect(toServiceIdentityType(undefined)).toBe("None");
  });

  it("reads a cloud endpoint's storage account only when it is a storage account id", () => {
    const account = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1";
    const view = (storageAccountResourceId: unknown) =>
      toCloudEndpointView(
        { properties: { storageAccountResourceId, azureFileShareName: "share" } },
        `${SERVICE}/syncGroups/sg`,
      ).storageAccountResourceId;
    expect(view(`//${account}/`)).toBe(account);
    expect(view("")).toBeUndefined();
    expect(view('""')).toBeUndefined();
    expect(view("st1")).toBeUndefined();
    expect(view("/subscriptions/s/resourceGroups/rg")).toBeUndefined();
    expect(view(42)).toBeUndefined();
  });

  it("reads a server's own error code as the hex the docs print (int32 or text), 0 as none", () => {
    const code = (serverManagementErrorCode: unknown) =>
      toRegisteredServerView(
        { id: `${SERVICE}/registeredServers/x`, properties: { serverManagementErrorCode } },
        SERVICE,
      ).serverManagementErrorCode;
    expect(code(-2134351773)).toBe("0x80c86063");
    expect(code("-2134351773")).toBe("0x80c86063");
    expect(code(0)).toBeUndefined();
    expect(code(undefined)).toBeUndefined();
  });

  it("reads a storage account's network rules and shared-key setting with Azure's defaults when absent", () => {
    const account = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1";
    expect(toStorageAccountView({ id: account, properties: {} }, account)).toEqual({
      resourceId: account,
      defaultAction: "Allow",
      bypass: ["AzureServices"],
      allowSharedKeyAccess: true,
    });
    expect(
      toStorageAccountView(
        {
          properties: {
            networkAcls: { defaultAction: "deny", bypass: "Logging, Metrics" },
            allowSharedKeyAccess: false,
          },
        },
        account,
      ),
    ).toEqual({
      resourceId: account,
      defaultAction: "Deny",
      bypass: ["Logging", "Metrics"],
      allowSharedKeyAccess: false,
    });
  });
});
