import {
  assignmentsBySubscription,
  DEFAULT_ESTATE,
  estateIds,
  type EstateOptions,
} from "../../dev/seeds/generate-estate";
import { envNumber } from "./table";

/** The estate and emulator settings the estate benchmarks share (same defaults, same BENCH_* overrides). */
export interface EstateBenchSetup {
  estate: EstateOptions;
  timeScale: number;
  latencyMs: number;
}

/**
 * Default: 4 subscriptions x 15 services x 100 servers, 20 sync groups over 4 accounts, 2 server endpoints
 * per server; each subscription's services keep their storage in the next subscription, which ends at
 * 15 x (4 + 20 + 200) = 3,360 role assignments (Azure allows 4,000).
 */
export function estateBenchSetup(): EstateBenchSetup {
  const perSubscription = envNumber("BENCH_SERVICES_PER_SUBSCRIPTION", 15);
  return {
    estate: {
      ...DEFAULT_ESTATE,
      services: envNumber("BENCH_SUBSCRIPTIONS", 4) * perSubscription,
      servicesPerSubscription: perSubscription,
      serversPerService: envNumber("BENCH_SERVERS", 100),
      syncGroupsPerService: envNumber("BENCH_SYNC_GROUPS", 20),
      accountsPerService: envNumber("BENCH_ACCOUNTS", 4),
      endpointsPerServer: envNumber("BENCH_ENDPOINTS", 2),
      storageSubscriptionOffset: 1,
    },
    // ARM's own rates by default: at x4 the four subscriptions' buckets pass 160 writes/s, more than two shared cores
    // run the app, the emulator and Azurite for, and the ratio then measured the machine, not ARM.
    timeScale: envNumber("BENCH_TIME_SCALE", 1),
    latencyMs: envNumber("BENCH_LATENCY_MS", 50),
  };
}

export function describeEstate(setup: EstateBenchSetup): string[] {
  const { estate } = setup;
  const assignments = [...assignmentsBySubscription(estate).values()];
  return [
    `Estate: ${estateIds.subscriptionCount(estate)} subscriptions x ${estate.servicesPerSubscription} services x ${estate.serversPerService} servers (${estate.syncGroupsPerService} sync groups over ${estate.accountsPerService} accounts, ${estate.endpointsPerServer} endpoints per server); storage of each subscription's services in the next one; ${Math.min(...assignments)}-${Math.max(...assignments)} assignments per storage subscription (Azure's limit 4,000)`,
    `Emulator: ${setup.latencyMs} ms per call, ARM's buckets per subscription (reads 250/25 per s, writes 200/10 per s), time compressed x${setup.timeScale}`,
  ];
}
