import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseSeed } from "../../../../dev/emulator/seed";
import { estateIds, generateEstate } from "../../../../dev/seeds/generate-estate";
import { EmulatorCore } from "../../../../dev/emulator/core";
import { machineOf } from "../../../../dev/emulator/agent";

describe("generateEstate", () => {
  it("gives a valid seed of the asked size, every server on its share count and with its identity reported", () => {
    fc.assert(
      fc.property(
        fc.record({
          services: fc.integer({ min: 1, max: 4 }),
          serversPerService: fc.integer({ min: 0, max: 100 }),
          syncGroupsPerService: fc.integer({ min: 1, max: 6 }),
          endpointsPerServer: fc.integer({ min: 0, max: 1 }),
        }),
        fc.integer({ min: 1, max: 6 }),
        (options, accounts) => {
          const accountsPerService = Math.min(accounts, options.syncGroupsPerService);
          const seed = parseSeed(generateEstate({ ...options, accountsPerService }));
          const groups = seed.subscriptions[0]?.resourceGroups ?? [];
          expect(groups).toHaveLength(options.services);
          for (const rg of groups) {
            const service = rg.storageSyncServices[0];
            expect(service?.registeredServers).toHaveLength(options.serversPerService);
            expect(service?.registeredServers.every((s) => s.latestApplicationId !== undefined)).toBe(true);
            expect(service?.syncGroups).toHaveLength(options.syncGroupsPerService);
            expect(rg.storageAccounts).toHaveLength(accountsPerService);
            const endpoints = service?.syncGroups.reduce((n, g) => n + g.serverEndpoints.length, 0);
            expect(endpoints).toBe(options.serversPerService * options.endpointsPerServer);
            const shares = rg.storageAccounts.reduce((n, a) => n + a.fileShares.length, 0);
            expect(shares).toBe(options.syncGroupsPerService);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("is deterministic and names what it seeds with estateIds", () => {
    const a = generateEstate({ services: 2, serversPerService: 3 });
    expect(generateEstate({ services: 2, serversPerService: 3 })).toEqual(a);
    const rg = a.subscriptions[0]?.resourceGroups?.[1];
    expect(rg?.name).toBe(estateIds.resourceGroup(1));
    expect(rg?.storageSyncServices?.[0]?.registeredServers?.[2]?.serverId).toBe(estateIds.serverId(1, 2));
  });

  it("refuses sizes File Sync or the seed cannot have, naming the option", () => {
    expect(() => generateEstate({ serversPerService: 101 })).toThrow(/serversPerService/);
    expect(() => generateEstate({ services: 0 })).toThrow(/services/);
    expect(() => generateEstate({ syncGroupsPerService: 2, accountsPerService: 3 })).toThrow(/accountsPerService/);
    expect(() => generateEstate({ subscriptionId: "nope" })).toThrow(/subscriptionId/);
  });

  it("with arcMachines, puts each server on an Arc machine of its short name whose identity the server reports", () => {
    const core = new EmulatorCore({
      seed: parseSeed(generateEstate({ services: 2, serversPerService: 3, syncGroupsPerService: 1, accountsPerService: 1, arcMachines: true })),
    });
    const servers = [...core.state.servers.values()];
    expect(servers).toHaveLength(6);
    for (const server of servers) {
      const machine = machineOf(core.state, server);
      expect(machine?.name).toBe(server.serverName.split(".")[0]);
      expect(machine?.identity?.principalId).toBe(server.latestApplicationId);
    }
    expect(parseSeed(generateEstate({ services: 1, serversPerService: 2 })).subscriptions[0]?.resourceGroups[0]?.arcMachines).toEqual([]);
  });
});
