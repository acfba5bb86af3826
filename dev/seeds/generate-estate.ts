import { CURRENT_AGENT_VERSION } from "../emulator/agent-versions";
import type { SeedInput } from "../emulator/seed";
import { ESTATE_LIMITS, EstateLimitError } from "./estate-limits";

/**
 * A synthetic estate for sizing, within Azure's limits (estate-limits.ts):
 * `services` Storage Sync Services of `serversPerService` servers each, placed
 * `servicesPerSubscription` to a subscription (File Sync allows 15), so a big
 * estate spans several subscriptions as real ones do. Each service has its own
 * resource group with `accountsPerService` storage accounts holding
 * `syncGroupsPerService` shares between them (one cloud endpoint per sync
 * group); each server syncs `endpointsPerServer` of those shares. The storage
 * accounts of the services of subscription i live in subscription
 * (i + storageSubscriptionOffset) mod n, in a resource group of the same name:
 * File Sync's grants land there, so that subscription's role-assignment count
 * (Azure allows 4,000) and write bucket carry another subscription's services.
 * Every server already reports its machine identity (as after
 * `Register-AzStorageSyncServer -AssignIdentity`), no service has an identity
 * yet and nothing is granted: convergence from scratch. Deterministic: the
 * same options give the same ids. A shape Azure would refuse is refused with
 * the limit named (EstateLimitError).
 *
 *   npx tsx dev/seeds/generate-estate.ts --services 60 --servers 100 --sync-groups 20 --accounts 4
 * --endpoints-per-server 2 > estate.json
 */
export interface EstateOptions {
  services: number;
  /** Services per subscription (at most 15); the last subscription may hold fewer. */
  servicesPerSubscription: number;
  serversPerService: number;
  syncGroupsPerService: number;
  accountsPerService: number;
  endpointsPerServer: number;
  /** 0: storage accounts in their service's subscription; k: in the subscription k further on (modulo the count). */
  storageSubscriptionOffset: number;
  /** The first subscription; the others count up from it in the last 12 hex digits. */
  subscriptionId: string;
  /**
   * Each server runs on an Arc machine (same short name) whose identity it reports, so identities can be reset through
   * the admin API.
   */
  arcMachines: boolean;
}

export const DEFAULT_ESTATE: EstateOptions = {
  services: 15,
  servicesPerSubscription: ESTATE_LIMITS.storageSyncServicesPerSubscription,
  serversPerService: 100,
  syncGroupsPerService: 10,
  accountsPerService: 2,
  endpointsPerServer: 1,
  storageSubscriptionOffset: 1,
  subscriptionId: "5ca1e000-0000-4000-8000-000000000001",
  arcMachines: false,
};

/** File Sync's documented maximum of registered servers per Storage Sync Service. */
export const MAX_SERVERS_PER_SERVICE = ESTATE_LIMITS.registeredServersPerService;

const guid = (kind: number, service: number, item: number) =>
  `${kind.toString(16).padStart(8, "0")}-${service.toString(16).padStart(4, "0")}-4000-8000-${item.toString(16).padStart(12, "0")}`;

type Placement = Pick<EstateOptions, "subscriptionId"> &
  Partial<Pick<EstateOptions, "servicesPerSubscription" | "services" | "storageSubscriptionOffset">>;

const perSubscription = (o: Placement) => o.servicesPerSubscription ?? DEFAULT_ESTATE.servicesPerSubscription;

/** Ids the generator gives, so benchmarks can name what they seeded. */
export const estateIds = {
  serverId: (service: number, server: number) => guid(0x5e7e, service, server),
  machinePrincipal: (service: number, server: number) => guid(0xa7c0, service, server),
  resourceGroup: (service: number) => `rg-sync-${service.toString().padStart(3, "0")}`,
  serviceName: (service: number) => `sss-${service.toString().padStart(3, "0")}`,
  /** The k-th subscription of the estate (k = 0 is options.subscriptionId). */
  subscriptionId: (options: Pick<EstateOptions, "subscriptionId">, k: number) => {
    const base = options.subscriptionId;
    const tail = (BigInt(`0x${base.slice(-12)}`) + BigInt(k)) % 2n ** 48n;
    return `${base.slice(0, -12)}${tail.toString(16).padStart(12, "0")}`;
  },
  subscriptionCount: (options: Placement) =>
    Math.ceil((options.services ?? DEFAULT_ESTATE.services) / perSubscription(options)),
  /** The subscription holding service s. */
  serviceSubscription: (options: Placement, service: number) =>
    estateIds.subscriptionId(options, Math.floor(service / perSubscription(options))),
  /** The subscription holding service s's storage accounts (where its grants land). */
  storageSubscription: (options: Placement, service: number) => {
    const n = estateIds.subscriptionCount(options);
    const k = Math.floor(service / perSubscription(options));
    return estateIds.subscriptionId(
      options,
      (k + (options.storageSubscriptionOffset ?? DEFAULT_ESTATE.storageSubscriptionOffset)) % n,
    );
  },
  serviceId: (options: Placement, service: number) =>
    `/subscriptions/${estateIds.serviceSubscription(options, service)}/resourceGroups/${estateIds.resourceGroup(service)}/providers/Microsoft.StorageSync/storageSyncServices/${estateIds.serviceName(service)}`,
  machineName: (serverName: string) => serverName.split(".")[0] ?? serverName,
  accountName: (service: number, account: number) => `st${service.toString().padStart(3, "0")}x${account}`,
};

/**
 * The role assignments one service needs once converged: Storage Account Contributor per account and
 * the file-share role per share for its identity, and the file-share role per server endpoint for the
 * endpoint's server (each server's endpoints are on different shares).
 */
export function grantsPerService(
  options: Pick<
    EstateOptions,
    "accountsPerService" | "syncGroupsPerService" | "serversPerService" | "endpointsPerServer"
  >,
): number {
  return (
    options.accountsPerService + options.syncGroupsPerService + options.serversPerService * options.endpointsPerServer
  );
}

/** Role assignments each subscription holds after convergence, by subscription id (only those holding storage). */
export function assignmentsBySubscription(options: EstateOptions): Map<string, number> {
  const out = new Map<string, number>();
  for (let s = 0; s < options.services; s++) {
    const sub = estateIds.storageSubscription(options, s);
    out.set(sub, (out.get(sub) ?? 0) + grantsPerService(options));
  }
  return out;
}

function check(options: EstateOptions): void {
  const whole = (name: keyof EstateOptions, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = options[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min)
      throw new RangeError(`estate: ${name} must be a whole number from ${min}, got ${String(v)}`);
    if (v > max) throw new RangeError(`estate: ${name} must be at most ${max}, got ${v}`);
  };
  whole("services", 1, 0xffff);
  whole("servicesPerSubscription", 1);
  whole("serversPerService", 0);
  whole("syncGroupsPerService", 1);
  whole("accountsPerService", 1, options.syncGroupsPerService);
  whole("endpointsPerServer", 0, options.syncGroupsPerService);
  whole("storageSubscriptionOffset", 0);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.subscriptionId))
    throw new RangeError(`estate: subscriptionId must be a GUID, got ${options.subscriptionId}`);
  const limit = (name: keyof typeof ESTATE_LIMITS, needed: number, where: string) => {
    if (needed > ESTATE_LIMITS[name]) throw new EstateLimitError(name, needed, where);
  };
  limit(
    "storageSyncServicesPerSubscription",
    Math.min(options.services, options.servicesPerSubscription),
    "each subscription",
  );
  limit("registeredServersPerService", options.serversPerService, "each service");
  limit("syncGroupsPerService", options.syncGroupsPerService, "each service");
  limit("serverEndpointsPerServer", options.endpointsPerServer, "each server");
  // Server e-th endpoint of server i is on sync group (i + e) mod G: the fullest group holds ceil(S * E / G).
  limit(
    "serverEndpointsPerSyncGroup",
    Math.ceil((options.serversPerService * options.endpointsPerServer) / options.syncGroupsPerService),
    "the fullest sync group",
  );
  for (const [sub, count] of assignmentsBySubscription(options))
    limit("roleAssignmentsPerSubscription", count, `storage subscription ${sub} after convergence`);
}

type ResourceGroups = NonNullable<SeedInput["subscriptions"][number]["resourceGroups"]>;

export function generateEstate(partial: Partial<EstateOptions> = {}): SeedInput {
  const options = { ...DEFAULT_ESTATE, ...partial };
  check(options);
  const groupsBySubscription = new Map<string, ResourceGroups>();
  for (let k = 0; k < estateIds.subscriptionCount(options); k++)
    groupsBySubscription.set(estateIds.subscriptionId(options, k), []);
  const groupsOf = (sub: string) => groupsBySubscription.get(sub) as ResourceGroups;
  for (let s = 0; s < options.services; s++) {
    const rg = estateIds.resourceGroup(s);
    const serviceSub = estateIds.serviceSubscription(options, s);
    const storageSub = estateIds.storageSubscription(options, s);
    const accounts = Array.from({ length: options.accountsPerService }, (_, a) => ({
      name: estateIds.accountName(s, a),
      fileShares: [] as string[],
    }));
    const servers = Array.from({ length: options.serversPerService }, (_, i) => ({
      serverId: estateIds.serverId(s, i),
      serverName: `fs${s}-${i}.contoso.com`,
      agentVersion: CURRENT_AGENT_VERSION,
      latestApplicationId: estateIds.machinePrincipal(s, i),
    }));
    const syncGroups = Array.from({ length: options.syncGroupsPerService }, (_, g) => {
      const account = accounts[g % accounts.length] as { name: string; fileShares: string[] };
      const share = `share${g}`;
      account.fileShares.push(share);
      return {
        name: `sg${g}`,
        cloudEndpoints: [
          {
            name: `ce${g}`,
            storageAccountResourceId: `/subscriptions/${storageSub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${account.name}`,
            azureFileShareName: share,
          },
        ],
        serverEndpoints: [] as Array<{ name: string; serverId: string }>,
      };
    });
    servers.forEach((server, i) => {
      for (let e = 0; e < options.endpointsPerServer; e++) {
        const group = syncGroups[(i + e) % syncGroups.length] as (typeof syncGroups)[number];
        group.serverEndpoints.push({ name: `se${i}`, serverId: server.serverId });
      }
    });
    const machines = options.arcMachines
      ? {
          arcMachines: servers.map((server) => ({
            name: estateIds.machineName(server.serverName),
            hostName: server.serverName,
            identity: { principalId: server.latestApplicationId },
          })),
        }
      : {};
    const service = { name: estateIds.serviceName(s), registeredServers: servers, syncGroups };
    if (storageSub === serviceSub) {
      groupsOf(serviceSub).push({ name: rg, storageSyncServices: [service], storageAccounts: accounts, ...machines });
    } else {
      groupsOf(serviceSub).push({ name: rg, storageSyncServices: [service], ...machines });
      groupsOf(storageSub).push({ name: rg, storageAccounts: accounts });
    }
  }
  const subscriptions = [...groupsBySubscription].map(([subscriptionId, resourceGroups]) => ({
    subscriptionId,
    resourceGroups,
  }));
  return {
    description: `Synthetic estate: ${options.services} services (${options.servicesPerSubscription} per subscription, ${subscriptions.length} subscription(s), storage offset ${options.storageSubscriptionOffset}) x ${options.serversPerService} servers, ${options.syncGroupsPerService} sync groups over ${options.accountsPerService} accounts each, ${options.endpointsPerServer} endpoint(s) per server`,
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    caller: { principalId: "c0ffee00-0000-4000-8000-000000000001" },
    subscriptions,
  };
}

function parseArgs(argv: string[]): Partial<EstateOptions> {
  const names: Record<string, keyof EstateOptions> = {
    "--services": "services",
    "--services-per-subscription": "servicesPerSubscription",
    "--servers": "serversPerService",
    "--sync-groups": "syncGroupsPerService",
    "--accounts": "accountsPerService",
    "--endpoints-per-server": "endpointsPerServer",
    "--storage-offset": "storageSubscriptionOffset",
    "--subscription": "subscriptionId",
  };
  const out: Partial<Record<keyof EstateOptions, string | number>> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i] ?? ""];
    const value = argv[i + 1];
    if (!key || value === undefined)
      throw new Error(`usage: generate-estate [${Object.keys(names).join(" N] [")} N]; got ${argv.slice(i).join(" ")}`);
    out[key] = key === "subscriptionId" ? value : Number(value);
  }
  return out as Partial<EstateOptions>;
}

if (require.main === module) {
  try {
    process.stdout.write(JSON.stringify(generateEstate(parseArgs(process.argv.slice(2))), null, 2) + "\n");
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
