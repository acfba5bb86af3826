import type { SeedInput } from "../emulator/seed";

/**
 * A synthetic estate for sizing: `services` Storage Sync Services of
 * `serversPerService` servers each (File Sync's limit is 100 per service), in
 * one subscription. Each service has its own resource group with
 * `accountsPerService` storage accounts holding `syncGroupsPerService` shares
 * between them (one cloud endpoint per sync group); each server syncs
 * `endpointsPerServer` of those shares. Every server already reports its
 * machine identity (as after `Register-AzStorageSyncServer -AssignIdentity`),
 * no service has an identity yet and nothing is granted: convergence from
 * scratch. Deterministic: the same options give the same ids.
 *
 *   npx tsx dev/seeds/generate-estate.ts --services 50 --servers 100 > estate.json
 */
export interface EstateOptions {
  services: number;
  serversPerService: number;
  syncGroupsPerService: number;
  accountsPerService: number;
  endpointsPerServer: number;
  subscriptionId: string;
  /** Each server runs on an Arc machine (same short name) whose identity it reports, so identities can be reset through the admin API. */
  arcMachines: boolean;
}

export const DEFAULT_ESTATE: EstateOptions = {
  services: 50,
  serversPerService: 100,
  syncGroupsPerService: 10,
  accountsPerService: 2,
  endpointsPerServer: 1,
  subscriptionId: "5ca1e000-0000-4000-8000-000000000001",
  arcMachines: false,
};

/** File Sync's documented maximum of registered servers per Storage Sync Service. */
export const MAX_SERVERS_PER_SERVICE = 100;

const guid = (kind: number, service: number, item: number) =>
  `${kind.toString(16).padStart(8, "0")}-${service.toString(16).padStart(4, "0")}-4000-8000-${item.toString(16).padStart(12, "0")}`;

/** Ids the generator gives, so benchmarks can name what they seeded. */
export const estateIds = {
  serverId: (service: number, server: number) => guid(0x5e7e, service, server),
  machinePrincipal: (service: number, server: number) => guid(0xa7c0, service, server),
  resourceGroup: (service: number) => `rg-sync-${service.toString().padStart(3, "0")}`,
  serviceName: (service: number) => `sss-${service.toString().padStart(3, "0")}`,
  serviceId: (options: Pick<EstateOptions, "subscriptionId">, service: number) =>
    `/subscriptions/${options.subscriptionId}/resourceGroups/${estateIds.resourceGroup(service)}/providers/Microsoft.StorageSync/storageSyncServices/${estateIds.serviceName(service)}`,
  machineName: (serverName: string) => serverName.split(".")[0] ?? serverName,
  accountName: (service: number, account: number) => `st${service.toString().padStart(3, "0")}x${account}`,
};

function check(options: EstateOptions): void {
  const whole = (name: keyof EstateOptions, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = options[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
      throw new RangeError(`estate: ${name} must be a whole number from ${min} to ${max}, got ${String(v)}`);
  };
  whole("services", 1, 0xffff);
  whole("serversPerService", 0, MAX_SERVERS_PER_SERVICE);
  whole("syncGroupsPerService", 1, 1000);
  whole("accountsPerService", 1, options.syncGroupsPerService);
  whole("endpointsPerServer", 0, options.syncGroupsPerService);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.subscriptionId))
    throw new RangeError(`estate: subscriptionId must be a GUID, got ${options.subscriptionId}`);
}

export function generateEstate(partial: Partial<EstateOptions> = {}): SeedInput {
  const options = { ...DEFAULT_ESTATE, ...partial };
  check(options);
  const { subscriptionId: sub } = options;
  const resourceGroups: NonNullable<SeedInput["subscriptions"][number]["resourceGroups"]> = [];
  for (let s = 0; s < options.services; s++) {
    const rg = estateIds.resourceGroup(s);
    const accounts = Array.from({ length: options.accountsPerService }, (_, a) => ({ name: estateIds.accountName(s, a), fileShares: [] as string[] }));
    const servers = Array.from({ length: options.serversPerService }, (_, i) => ({
      serverId: estateIds.serverId(s, i),
      serverName: `fs${s}-${i}.contoso.com`,
      agentVersion: "20.0.0.0",
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
            storageAccountResourceId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${account.name}`,
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
    resourceGroups.push({
      name: rg,
      storageSyncServices: [{ name: estateIds.serviceName(s), registeredServers: servers, syncGroups }],
      storageAccounts: accounts,
      ...(options.arcMachines
        ? {
            arcMachines: servers.map((server) => ({
              name: estateIds.machineName(server.serverName),
              hostName: server.serverName,
              identity: { principalId: server.latestApplicationId },
            })),
          }
        : {}),
    });
  }
  return {
    description: `Synthetic estate: ${options.services} services x ${options.serversPerService} servers, ${options.syncGroupsPerService} sync groups over ${options.accountsPerService} accounts each, ${options.endpointsPerServer} endpoint(s) per server`,
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    caller: { principalId: "c0ffee00-0000-4000-8000-000000000001" },
    subscriptions: [{ subscriptionId: sub, resourceGroups }],
  };
}

function parseArgs(argv: string[]): Partial<EstateOptions> {
  const names: Record<string, keyof EstateOptions> = {
    "--services": "services",
    "--servers": "serversPerService",
    "--sync-groups": "syncGroupsPerService",
    "--accounts": "accountsPerService",
    "--endpoints-per-server": "endpointsPerServer",
    "--subscription": "subscriptionId",
  };
  const out: Partial<Record<keyof EstateOptions, string | number>> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i] ?? ""];
    const value = argv[i + 1];
    if (!key || value === undefined) throw new Error(`usage: generate-estate [${Object.keys(names).join(" N] [")} N]; got ${argv.slice(i).join(" ")}`);
    out[key] = key === "subscriptionId" ? value : Number(value);
  }
  return out as Partial<EstateOptions>;
}

if (require.main === module) {
  process.stdout.write(JSON.stringify(generateEstate(parseArgs(process.argv.slice(2))), null, 2) + "\n");
}
