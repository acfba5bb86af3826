import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseSeed } from "../../../../dev/emulator/seed";
import {
  assignmentsBySubscription,
  DEFAULT_ESTATE,
  estateIds,
  generateEstate,
} from "../../../../dev/seeds/generate-estate";
import { ESTATE_LIMITS, EstateLimitError } from "../../../../dev/seeds/estate-limits";
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
          const { serversPerService } = options;
          const seed = parseSeed(generateEstate({ ...options, accountsPerService }));
          const groups = seed.subscriptions[0]?.resourceGroups ?? [];
          expect(groups).toHaveLength(options.services);
          for (const rg of groups) {
            const service = rg.storageSyncServices[0];
            expect(service?.registeredServers).toHaveLength(serversPerService);
            expect(service?.registeredServers.every((s) => s.latestApplicationId !== undefined)).toBe(true);
            expect(service?.syncGroups).toHaveLength(options.syncGroupsPerService);
            expect(rg.storageAccounts).toHaveLength(accountsPerService);
            const endpoints = service?.syncGroups.reduce((n, g) => n + g.serverEndpoints.length, 0);
            expect(endpoints).toBe(serversPerService * options.endpointsPerServer);
            const shares = rg.storageAccounts.reduce((n, a) => n + a.fileShares.length, 0);
            expect(shares).toBe(options.syncGroupsPerService);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("spreads services over subscriptions within File Sync's limits, storage in another subscription than its service", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 0, max: 3 }),
        (services, servicesPerSubscription, storageSubscriptionOffset) => {
          const options = {
            ...DEFAULT_ESTATE,
            services,
            servicesPerSubscription,
            storageSubscriptionOffset,
            serversPerService: 2,
            syncGroupsPerService: 2,
          };
          const seed = parseSeed(generateEstate(options));
          expect(seed.subscriptions).toHaveLength(Math.ceil(services / servicesPerSubscription));
          for (const sub of seed.subscriptions) {
            const count = sub.resourceGroups.reduce((n, rg) => n + rg.storageSyncServices.length, 0);
            expect(count).toBeLessThanOrEqual(ESTATE_LIMITS.storageSyncServicesPerSubscription);
          }
          for (let s = 0; s < services; s++) {
            const sub = seed.subscriptions.find((x) => x.subscriptionId === estateIds.serviceSubscription(options, s));
            const service = sub?.resourceGroups.find((rg) => rg.name === estateIds.resourceGroup(s))
              ?.storageSyncServices[0];
            expect(service?.name).toBe(estateIds.serviceName(s));
            const account = service?.syncGroups[0]?.cloudEndpoints[0]?.storageAccountResourceId ?? "";
            const storageSub = estateIds.storageSubscription(options, s);
            expect(account.startsWith(`/subscriptions/${storageSub}/`)).toBe(true);
            // The account exists where the cloud endpoint says it is.
            const holder = seed.subscriptions.find((x) => x.subscriptionId === storageSub);
            expect(
              holder?.resourceGroups.some((rg) => rg.storageAccounts.some((a) => account.endsWith(`/${a.name}`))),
            ).toBe(true);
            if (seed.subscriptions.length > 1 && storageSubscriptionOffset % seed.subscriptions.length !== 0)
              expect(storageSub).not.toBe(estateIds.serviceSubscription(options, s));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("is deterministic and names what it seeds with estateIds", () => {
    const a = generateEstate({ services: 2, serversPerService: 3 });
    expect(generateEstate({ services: 2, serversPerService: 3 })).toEqual(a);
    const rg = a.subscriptions[0]?.resourceGroups?.[1];
    expect(rg?.name).toBe(estateIds.resourceGroup(1));
    expect(rg?.storageSyncServices?.[0]?.registeredServers?.[2]?.serverId).toBe(estateIds.serverId(1, 2));
  });

  it("refuses shapes Azure cannot hold, naming the limit", () => {
    const refuses = (options: Parameters<typeof generateEstate>[0], limit: string) => {
      expect(() => generateEstate(options)).toThrow(EstateLimitError);
      expect(() => generateEstate(options)).toThrow(new RegExp(`at most [0-9,]+ \\(${limit}\\)`));
    };
    refuses({ serversPerService: 101 }, "registeredServersPerService");
    refuses({ services: 16, servicesPerSubscription: 16 }, "storageSyncServicesPerSubscription");
    refuses({ syncGroupsPerService: 201, accountsPerService: 1 }, "syncGroupsPerService");
    refuses({ syncGroupsPerService: 40, endpointsPerServer: 31 }, "serverEndpointsPerServer");
  });

  it("refuses an estate whose storage subscription would pass 4,000 role assignments, and accepts one just under", () => {
    const fits = {
      services: 30,
      serversPerService: 100,
      syncGroupsPerService: 20,
      accountsPerService: 4,
      endpointsPerServer: 2,
    };
    const counts = [...assignmentsBySubscription({ ...DEFAULT_ESTATE, ...fits }).values()];
    expect(counts).toEqual([15 * 224, 15 * 224]);
    expect(() => generateEstate(fits)).not.toThrow();
    expect(() => generateEstate({ ...fits, endpointsPerServer: 3 })).toThrow(/roleAssignmentsPerSubscription/);
    // Storage spread the other way round does not change a subscription's count when all are alike.
    expect(() => generateEstate({ ...fits, endpointsPerServer: 3, storageSubscriptionOffset: 0 })).toThrow(
      /4000 \(roleAssignmentsPerSubscription\)/,
    );
  });

  it("with arcMachines, puts each server on an Arc machine of its short name whose identity the server reports", () => {
    const core = new EmulatorCore({
      seed: parseSeed(
        generateEstate({
          services: 2,
          serversPerService: 3,
          syncGroupsPerService: 1,
          accountsPerService: 1,
          arcMachines: true,
        }),
      ),
    });
    const servers = [...core.state.servers.values()];
    expect(servers).toHaveLength(6);
    for (const server of servers) {
      const machine = machineOf(core.state, server);
      expect(machine?.name).toBe(server.serverName.split(".")[0]);
      expect(machine?.identity?.principalId).toBe(server.latestApplicationId);
    }
    expect(
      parseSeed(generateEstate({ services: 1, serversPerService: 2 })).subscriptions[0]?.resourceGroups[0]?.arcMachines,
    ).toEqual([]);
  });
});
