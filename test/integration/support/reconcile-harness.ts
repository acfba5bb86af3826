import { afterAll, beforeAll, inject } from "vitest";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { startEmulator, type EmulatorHandle, type SeedInput } from "../../../dev/emulator/index";
import { createArmConnection, type ArmConnection } from "../../../src/lib/azure/arm-connection";
import { createCredential } from "../../../src/lib/azure/credential";
import { reconcileService, type EngineHints, type EngineSettings } from "../../../src/lib/reconcile";

/**
 * Engine integration harness: an emulator of its own (per test), the
 * product's credential (DefaultAzureCredential via the emulator's MSI
 * endpoint) and ARM connection, with short retry and poll delays.
 */
export const SUB_A = "aaaaaaaa-1111-4111-8111-111111111111";
export const SUB_B = "bbbbbbbb-2222-4222-8222-222222222222";
export const CALLER = "c0ffee00-0000-4000-8000-0000000000aa";
export const SERVICE_ID = `/subscriptions/${SUB_A}/resourceGroups/rg-sync/providers/Microsoft.StorageSync/storageSyncServices/sss`;
export const ACCOUNT_A = `/subscriptions/${SUB_A}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdataa`;
export const ACCOUNT_B = `/subscriptions/${SUB_B}/resourceGroups/rg-data-b/providers/Microsoft.Storage/storageAccounts/stdatab`;
export const shareOf = (account: string, share: string) => `${account}/fileServices/default/fileshares/${share}`;
export const serverIdOf = (n: number) => `5e7e0000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
export const principalOf = (n: number) => `a7c00000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
export const serverResourceId = (n: number) => `${SERVICE_ID}/registeredServers/${serverIdOf(n)}`;

export const SETTINGS: EngineSettings = {
  minAgentVersion: "19.1.0.0",
  maxConcurrency: 4,
  principalNotFoundRetries: 4,
  principalNotFoundBaseDelayMs: 5,
};

type SeedService = NonNullable<
  NonNullable<SeedInput["subscriptions"][number]["resourceGroups"]>[number]["storageSyncServices"]
>[number];
type SeedServer = NonNullable<SeedService["registeredServers"]>[number];
type SeedSyncGroup = NonNullable<SeedService["syncGroups"]>[number];

/** A server with an identity the agent already reported (latestApplicationId), on Certificate. */
export function eligibleServer(n: number, extra: Partial<SeedServer> = {}): SeedServer {
  return {
    serverId: serverIdOf(n),
    serverName: `fs${n}.contoso.local`,
    agentVersion: "21.2.0.0",
    latestApplicationId: principalOf(n),
    ...extra,
  };
}

export function syncGroupOn(name: string, account: string, share: string, serverNumbers: number[]): SeedSyncGroup {
  return {
    name,
    cloudEndpoints: [{ name: `ce-${name}`, storageAccountResourceId: account, azureFileShareName: share }],
    serverEndpoints: serverNumbers.map((n) => ({ name: `se-${name}-${n}`, serverId: serverIdOf(n) })),
  };
}

/**
 * A tenant: the service in subscription A, accounts in A and B, the caller
 * with Azure File Sync Administrator and Reader on both subscriptions unless
 * `callerRoles` says otherwise.
 */
export function tenant(options: {
  servers: SeedServer[];
  syncGroups: SeedSyncGroup[];
  identity?: SeedService["identity"];
  useIdentity?: boolean;
  roleAssignments?: SeedInput["roleAssignments"];
  callerRoles?: string[];
  /** Arc machines (in rg-sync) whose host names match servers, with their system-assigned identity. */
  arcMachines?: Array<{
    name: string;
    hostName: string;
    principalId: string;
    status?: "Connected" | "Disconnected" | "Error" | "Expired";
    userAssignedPrincipalIds?: string[];
  }>;
  /** Storage account A's network rules and shared-key setting (Azure's defaults when absent). */
  accountA?: { networkAcls?: { defaultAction: "Allow" | "Deny"; bypass: string }; allowSharedKeyAccess?: boolean };
  /** Subscription B's Entra tenant (the seed's when absent). */
  subscriptionBTenantId?: string;
}): SeedInput {
  const callerRoles = options.callerRoles ?? ["Azure File Sync Administrator", "Reader"];
  return {
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    caller: { principalId: CALLER, displayName: "afs-identity-test" },
    subscriptions: [
      {
        subscriptionId: SUB_A,
        resourceGroups: [
          {
            name: "rg-sync",
            storageSyncServices: [
              {
                name: "sss",
                identity: options.identity,
                useIdentity: options.useIdentity ?? false,
                registeredServers: options.servers,
                syncGroups: options.syncGroups,
              },
            ],
            arcMachines: (options.arcMachines ?? []).map((m) => ({
              name: m.name,
              hostName: m.hostName,
              identity: { principalId: m.principalId },
              ...(m.status ? { status: m.status } : {}),
              ...(m.userAssignedPrincipalIds ? { userAssignedPrincipalIds: m.userAssignedPrincipalIds } : {}),
            })),
          },
          {
            name: "rg-data",
            storageAccounts: [{ name: "stdataa", fileShares: ["share1", "share2", "share3"], ...options.accountA }],
          },
        ],
      },
      {
        subscriptionId: SUB_B,
        ...(options.subscriptionBTenantId ? { tenantId: options.subscriptionBTenantId } : {}),
        resourceGroups: [
          { name: "rg-data-b", storageAccounts: [{ name: "stdatab", fileShares: ["share1", "share2"] }] },
        ],
      },
    ],
    roleAssignments: [
      ...callerRoles.flatMap((role) =>
        [SUB_A, SUB_B].map((sub) => ({
          scope: `/subscriptions/${sub}`,
          role,
          principalId: CALLER,
          principalType: "ServicePrincipal" as const,
        })),
      ),
      ...(options.roleAssignments ?? []),
    ],
  };
}

export interface EngineHarness {
  emulator: EmulatorHandle;
  arm: ArmConnection;
  /** Resets the emulator to a seed: state, call counters, faults, LRO mode, RBAC enforcement and list paging. */
  load(
    seed: SeedInput,
    settings?: { lroMode?: "sync" | "async"; enforceRbac?: boolean; listPageSize?: number },
  ): Promise<void>;
  run(dryRun?: boolean, settings?: Partial<EngineSettings>, hints?: EngineHints): ReturnType<typeof reconcileService>;
  /**
   * A connection of its own whose Storage Sync client (subscription A) runs
   * `policy` on the wire: how a test makes the emulator's answers look like
   * other answers ARM gives (one LRO header, a sloppy body).
   */
  connectWith(policy: PipelinePolicy): ArmConnection;
  close(): Promise<void>;
}

/**
 * One emulator per test FILE, reset per test with `load`: the managed-identity
 * client (MSAL) caches the App Service token endpoint for the process, so a
 * second emulator in the same process would never be asked for tokens.
 */
export async function startEngineHarness(): Promise<EngineHarness> {
  const emulator = await startEmulator({ tls: inject("localTls"), seed: tenant({ servers: [], syncGroups: [] }) });
  process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
  process.env.IDENTITY_HEADER = emulator.identityHeader;
  const connect = () =>
    createArmConnection({
      endpoint: emulator.armEndpoint,
      credential: createCredential({}),
      retryDelayInMs: 5,
      maxRetryDelayInMs: 20,
      lroPollIntervalMs: 5,
    });
  const arm = connect();
  return {
    emulator,
    arm,
    async load(seed, settings = {}) {
      await emulator.admin.loadSeed(seed);
      await emulator.admin.clearFaults();
      await emulator.admin.setSettings({
        lroMode: settings.lroMode ?? "async",
        enforceRbac: settings.enforceRbac ?? false,
        listPageSize: settings.listPageSize ?? 0,
      });
      await emulator.admin.resetCalls();
    },
    run: (dryRun = false, settings = {}, hints) =>
      reconcileService(arm, SERVICE_ID, { dryRun, settings: { ...SETTINGS, ...settings }, hints }),
    connectWith(policy) {
      const own = connect();
      own.storageSync(SUB_A).pipeline.addPolicy(policy);
      return own;
    },
    close: () => emulator.close(),
  };
}

/** One harness for the calling test file: started before its tests, closed after them. */
export function useEngineHarness(): EngineHarness {
  let started: EngineHarness | undefined;
  const current = (): EngineHarness => {
    if (!started) throw new Error("the engine harness was used before its beforeAll started it");
    return started;
  };
  beforeAll(async () => {
    started = await startEngineHarness();
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get emulator() {
      return current().emulator;
    },
    get arm() {
      return current().arm;
    },
    load: (seed, settings) => current().load(seed, settings),
    run: (dryRun, settings, hints) => current().run(dryRun, settings, hints),
    connectWith: (policy) => current().connectWith(policy),
    close: () => current().close(),
  };
}
