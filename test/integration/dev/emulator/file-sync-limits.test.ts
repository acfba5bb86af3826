import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SeedInput } from "../../../../dev/emulator/index";
import { FILE_SYNC_LIMITS } from "../../../../dev/emulator/limits";
import { startHarness, SUB1, type Harness } from "../../support/emulator-harness";

/**
 * Azure File Sync's hard limits (learn.microsoft.com/azure/storage/file-sync/file-sync-scale-targets):
 * creates past them are refused through the SDK, and seeds that pass them are refused naming the limit.
 */
const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString().padStart(12, "0")}`;
const server = (n: number) => ({
  serverId: guid("5e7e0000", n),
  serverName: `fs${n}.contoso.local`,
  agentVersion: "21.2.0.0",
});

function seedOf(options: {
  services?: number;
  servers?: number;
  syncGroups?: number;
  endpointsPerGroup?: number;
  groupsOfServer1?: number;
}): SeedInput {
  const services = Array.from({ length: options.services ?? 1 }, (_, s) => ({
    name: `sss-${s}`,
    registeredServers: s === 0 ? Array.from({ length: options.servers ?? 1 }, (_, i) => server(i + 1)) : [],
    syncGroups:
      s === 0
        ? Array.from({ length: options.syncGroups ?? 1 }, (_, g) => ({
            name: `sg-${g}`,
            serverEndpoints:
              g === 0
                ? Array.from({ length: options.endpointsPerGroup ?? 0 }, (_, i) => ({
                    name: `se-${i + 1}`,
                    serverId: guid("5e7e0000", i + 1),
                  }))
                : g < (options.groupsOfServer1 ?? 0)
                  ? [{ name: "se-1", serverId: guid("5e7e0000", 1) }]
                  : [],
          }))
        : [],
  }));
  return {
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    caller: { principalId: "c0ffee00-0000-4000-8000-0000000000aa" },
    subscriptions: [{ subscriptionId: SUB1, resourceGroups: [{ name: "rg", storageSyncServices: services }] }],
  };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: seedOf({}) });
});
afterAll(async () => h.emulator.close());

describe("File Sync hard limits", () => {
  it("refuses a 16th Storage Sync Service in a subscription, naming the limit", async () => {
    await h.emulator.admin.loadSeed(seedOf({ services: FILE_SYNC_LIMITS.storageSyncServicesPerSubscription }));
    await expect(
      h
        .storageSync()
        .storageSyncServices.beginCreateAndWait(
          "rg",
          "sss-extra",
          { location: "westeurope" },
          { updateIntervalInMs: 10 },
        ),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("maximum of 15 Storage Sync Services per subscription"),
    });
    // Updating an existing one is no new service.
    await expect(
      h
        .storageSync()
        .storageSyncServices.beginCreateAndWait("rg", "sss-0", { location: "westeurope" }, { updateIntervalInMs: 10 }),
    ).resolves.toMatchObject({ name: "sss-0" });
  });

  it("refuses a 101st registered server and a 201st sync group in a service", async () => {
    await h.emulator.admin.loadSeed(seedOf({ servers: 100, syncGroups: 200 }));
    await expect(
      h
        .storageSync()
        .registeredServers.beginCreateAndWait(
          "rg",
          "sss-0",
          guid("5e7e0000", 101),
          { agentVersion: "21.2.0.0", serverRole: "Standalone" },
          { updateIntervalInMs: 10 },
        ),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("maximum of 100 registered servers per Storage Sync Service"),
    });
    await expect(h.storageSync().syncGroups.create("rg", "sss-0", "sg-extra", {})).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("maximum of 200 sync groups per Storage Sync Service"),
    });
  });

  it("refuses a 101st server endpoint in a sync group and a 31st on one server", async () => {
    // Server 1 has an endpoint in sg-0 and in sg-1 … sg-29: 30 in all.
    await h.emulator.admin.loadSeed(
      seedOf({ servers: 100, syncGroups: 31, endpointsPerGroup: 100, groupsOfServer1: 30 }),
    );
    const serverId = (n: number) =>
      `/subscriptions/${SUB1}/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss-0/registeredServers/${guid("5e7e0000", n)}`;
    await expect(
      h
        .storageSync()
        .serverEndpoints.beginCreateAndWait(
          "rg",
          "sss-0",
          "sg-0",
          "se-101",
          { serverResourceId: serverId(2) },
          { updateIntervalInMs: 10 },
        ),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("maximum of 100 server endpoints per sync group"),
    });
    await expect(
      h
        .storageSync()
        .serverEndpoints.beginCreateAndWait(
          "rg",
          "sss-0",
          "sg-30",
          "se-1",
          { serverResourceId: serverId(1) },
          { updateIntervalInMs: 10 },
        ),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("maximum of 30 server endpoints per registered server"),
    });
  });

  it("refuses seeds Azure could not hold, naming each limit", async () => {
    await expect(h.emulator.admin.loadSeed(seedOf({ services: 16 }))).rejects.toThrow(
      /16 Storage Sync Services per subscription exceeds Azure File Sync's hard limit of 15/,
    );
    await expect(h.emulator.admin.loadSeed(seedOf({ servers: 101 }))).rejects.toThrow(
      /101 registered servers per Storage Sync Service exceeds .* 100/,
    );
    await expect(h.emulator.admin.loadSeed(seedOf({ syncGroups: 201 }))).rejects.toThrow(
      /201 sync groups per Storage Sync Service/,
    );
    await expect(h.emulator.admin.loadSeed(seedOf({ servers: 101, endpointsPerGroup: 101 }))).rejects.toThrow(
      /101 server endpoints per sync group/,
    );
    await expect(
      h.emulator.admin.loadSeed(seedOf({ syncGroups: 32, endpointsPerGroup: 1, groupsOfServer1: 31 })),
    ).rejects.toThrow(/31 server endpoints per registered server/);
  });
});
