import { beforeAll, describe, expect, it } from "vitest";
import {
  getMachineIdentity,
  getRegisteredServer,
  listRegisteredServers,
  listStorageSyncServices,
} from "../../../../src/lib/azure/reads";
import { armUrl, listArmJson } from "../../../../src/lib/azure/arm-request";
import { useEngineHarness } from "../../support/reconcile-harness";
import { DEFAULT_SEED_PATH, type SeedInput } from "../../../../dev/emulator/index";
import { readFileSync } from "node:fs";

/** The read helpers the Functions app uses, against the demo seed. */
const SUB1 = "11111111-1111-4111-8111-111111111111";
const SUB2 = "22222222-2222-4222-8222-222222222222";
const PROD = `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;
const BRANCH = `/subscriptions/${SUB2}/resourceGroups/rg-branch/providers/Microsoft.StorageSync/storageSyncServices/sss-branch`;

const harness = useEngineHarness();
beforeAll(async () => {
  await harness.load(JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput);
  await harness.emulator.admin.advanceTime(60_000);
});

describe("ARM read helpers", () => {
  it("lists Storage Sync Services of a subscription and of a resource group", async () => {
    expect(await listStorageSyncServices(harness.arm, `/subscriptions/${SUB1}`)).toEqual([PROD]);
    expect(await listStorageSyncServices(harness.arm, `/subscriptions/${SUB2}/resourceGroups/rg-branch`)).toEqual([
      BRANCH,
    ]);
    expect(await listStorageSyncServices(harness.arm, `/subscriptions/${SUB2}/resourceGroups/rg-storage-hr`)).toEqual(
      [],
    );
    await expect(listStorageSyncServices(harness.arm, PROD)).rejects.toThrow("subscription or resource group");
  });

  it("lists and gets registered servers, normalised, with undefined for a server that does not exist", async () => {
    const servers = await listRegisteredServers(harness.arm, PROD);
    expect(servers).toHaveLength(8);
    const fs01 = servers.find((s) => s.name === "fs01.contoso.local");
    expect(fs01).toMatchObject({
      serverId: "5e7e0001-0000-4000-8000-000000000001",
      serviceId: PROD,
      serverRole: "Standalone",
      latestApplicationId: "a7c00001-0000-4000-8000-000000000001",
      activeAuthType: "Certificate",
      agentVersion: "21.2.0.0",
    });
    expect(fs01?.applicationId).toBeUndefined();
    const cluster = servers.find((s) => s.serverRole === "ClusterName");
    expect(cluster?.clusterId).toBe(cluster?.serverId);

    expect(
      await getRegisteredServer(harness.arm, `${PROD}/registeredServers/5e7e0005-0000-4000-8000-000000000005`),
    ).toMatchObject({
      activeAuthType: "ManagedIdentity",
      applicationId: "a7c00005-0000-4000-8000-000000000005",
    });
    expect(
      await getRegisteredServer(harness.arm, `${PROD}/registeredServers/5e7e0fff-0000-4000-8000-000000000fff`),
    ).toBeUndefined();
    await expect(
      getRegisteredServer(
        harness.arm,
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
      ),
    ).rejects.toThrow("not a registered server id");
  });

  it("reads an Arc machine's and a VM's system-assigned identity, undefined principal without one, undefined when missing", async () => {
    const arc = await getMachineIdentity(
      harness.arm,
      `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs01`,
    );
    expect(arc).toMatchObject({ name: "fs01", principalId: "a7c00001-0000-4000-8000-000000000001" });
    expect(arc?.tenantId).toBeTruthy();
    const vm = await getMachineIdentity(
      harness.arm,
      `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.Compute/virtualMachines/vm-fs04`,
    );
    expect(vm?.principalId).toBe("a7c00004-0000-4000-8000-000000000004");
    const noIdentity = await getMachineIdentity(
      harness.arm,
      `/subscriptions/${SUB2}/resourceGroups/rg-branch/providers/Microsoft.Compute/virtualMachines/vm-br02`,
    );
    expect(noIdentity).toMatchObject({ name: "vm-br02", principalId: undefined });
    expect(
      await getMachineIdentity(
        harness.arm,
        `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/nope`,
      ),
    ).toBeUndefined();
    await expect(getMachineIdentity(harness.arm, PROD)).rejects.toThrow("neither an Arc-enabled server");
  });

  it("follows nextLink page by page, and refuses a list that would be cut short rather than returning part of it", async () => {
    await harness.emulator.admin.setSettings({ listPageSize: 3 });
    try {
      expect(await listRegisteredServers(harness.arm, PROD)).toHaveLength(8);
      const url = armUrl(harness.arm.endpoint, `${PROD}/registeredServers`, "2022-09-01");
      await expect(listArmJson(harness.arm.storageSync(SUB1), url, { maxPages: 2 })).rejects.toThrow("partial list");
      expect(await listArmJson(harness.arm.storageSync(SUB1), url, { maxPages: 3 })).toHaveLength(8);
    } finally {
      await harness.emulator.admin.setSettings({ listPageSize: 0 });
    }
  });
});
