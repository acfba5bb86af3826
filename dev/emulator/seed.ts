import { readFileSync } from "node:fs";
import { z } from "zod";
import { CURRENT_AGENT_VERSION } from "./agent-versions";

/**
 * The seed format: a nested, human-writable description of a tenant. Ids are
 * derived from the nesting (subscription → resource group → resource), so a
 * seed cannot name a resource that lives somewhere else by mistake.
 * Documented in docs/development/emulator.md.
 */

const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a GUID");

const systemIdentity = z
  .object({
    /** Omitted: a new principal id is generated. */
    principalId: guid.optional(),
    /** The Entra tenant of the identity; omitted: the machine's subscription's tenant. */
    tenantId: guid.optional(),
  })
  .strict();

export const seedPrincipalSchema = z
  .object({
    principalId: guid,
    displayName: z.string().optional(),
    type: z.enum(["ServicePrincipal", "User", "Group"]).default("ServicePrincipal"),
    /** The Entra tenant whose directory holds it; omitted: the seed's tenantId. */
    tenantId: guid.optional(),
    /** Milliseconds ago the principal was created (for the replication delay); default: long ago. */
    createdAgoMs: z.number().nonnegative().optional(),
  })
  .strict();

export const seedRegisteredServerSchema = z
  .object({
    serverId: guid,
    /** Host name as the agent reports it (FQDN or short); links the server to a machine of the same name. */
    serverName: z.string().min(1),
    friendlyName: z.string().optional(),
    agentVersion: z.string().default(CURRENT_AGENT_VERSION),
    serverRole: z.enum(["Standalone", "ClusterNode", "ClusterName"]).default("Standalone"),
    clusterId: guid.optional(),
    clusterName: z.string().optional(),
    applicationId: guid.optional(),
    latestApplicationId: guid.optional(),
    activeAuthType: z.enum(["Certificate", "ManagedIdentity"]).default("Certificate"),
    /** Explicit link to an Arc machine or VM resource id, instead of matching by host name. */
    machineId: z.string().optional(),
    /** Simulated agent fault: it never picks up a switch to its identity (stays on Certificate). */
    agentIgnoresSwitch: z.boolean().optional(),
    /**
     * Registered with its managed identity (Register-AzStorageSyncServer -ApplicationId): no certificate,
     * `identity: true` and `ManagedIdentity` from the start; needs `applicationId`.
     */
    registeredWithIdentity: z.boolean().optional(),
  })
  .strict();

export const seedSyncGroupSchema = z
  .object({
    name: z.string().min(1),
    cloudEndpoints: z
      .array(
        z
          .object({
            name: z.string().min(1),
            /** Full resource id of the storage account (it may live in another subscription). */
            storageAccountResourceId: z.string().min(1),
            azureFileShareName: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    serverEndpoints: z
      .array(
        z
          .object({
            name: z.string().min(1),
            /** serverId of a registered server (or ClusterName entry) of the same service. */
            serverId: guid,
            serverLocalPath: z.string().default("D:\\share"),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const seedStorageSyncServiceSchema = z
  .object({
    name: z.string().min(1),
    location: z.string().optional(),
    identity: z
      .object({
        type: z.enum(["None", "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned"]),
        principalId: guid.optional(),
        userAssignedIdentities: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    useIdentity: z.boolean().default(false),
    registeredServers: z.array(seedRegisteredServerSchema).default([]),
    syncGroups: z.array(seedSyncGroupSchema).default([]),
  })
  .strict();

const seedMachineSchema = z
  .object({
    name: z.string().min(1),
    /** Host name, when it differs from the resource name. */
    hostName: z.string().optional(),
    /** null or omitted: no system-assigned identity (Arc machines always have one in Azure). */
    identity: systemIdentity.nullable().optional(),
    /** Arc machines only: `properties.status`; default Connected. */
    status: z.enum(["Connected", "Disconnected", "Error", "Expired"]).optional(),
    /**
     * Principal ids of user-assigned identities attached besides the system-assigned one (File Sync never uses them).
     */
    userAssignedPrincipalIds: z.array(z.string().uuid()).optional(),
  })
  .strict();

export const seedNetworkAclsSchema = z
  .object({
    defaultAction: z.enum(["Allow", "Deny"]).default("Allow"),
    /** "None" or a comma-separated combination of Logging, Metrics, AzureServices. */
    bypass: z
      .string()
      .regex(
        /^(None|((Logging|Metrics|AzureServices)(\s*,\s*(Logging|Metrics|AzureServices))*))$/,
        "must be None or a comma-separated combination of Logging, Metrics, AzureServices",
      )
      .default("AzureServices"),
    ipRules: z
      .array(z.object({ value: z.string().min(1), action: z.literal("Allow").default("Allow") }).strict())
      .default([]),
    virtualNetworkRules: z
      .array(
        z
          .object({ id: z.string().min(1), action: z.literal("Allow").default("Allow"), state: z.string().optional() })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const seedStorageAccountSchema = z
  .object({
    name: z.string().min(1),
    fileShares: z.array(z.string().min(1)).default([]),
    /** `properties.networkAcls`; omitted: open to all networks with the AzureServices bypass (Azure's default). */
    networkAcls: seedNetworkAclsSchema.optional(),
    /** `properties.allowSharedKeyAccess`; omitted: not returned (Azure treats that as true). */
    allowSharedKeyAccess: z.boolean().optional(),
  })
  .strict();

export const seedResourceGroupSchema = z
  .object({
    name: z.string().min(1),
    location: z.string().default("westeurope"),
    storageSyncServices: z.array(seedStorageSyncServiceSchema).default([]),
    storageAccounts: z.array(seedStorageAccountSchema).default([]),
    arcMachines: z.array(seedMachineSchema).default([]),
    virtualMachines: z.array(seedMachineSchema).default([]),
  })
  .strict();

export const seedSubscriptionSchema = z
  .object({
    subscriptionId: guid,
    displayName: z.string().optional(),
    /** The Entra tenant the subscription (and everything in it) belongs to; omitted: the seed's tenantId. */
    tenantId: guid.optional(),
    resourceGroups: z.array(seedResourceGroupSchema).default([]),
    /** Azure allows 4,000 role assignments per subscription; a lower limit makes the quota testable. */
    roleAssignmentLimit: z.number().int().min(0).max(4000).optional(),
    /**
     * Role assignments that exist already at the subscription scope (Reader, of other principals), filling
     * its quota: `orphaned` of them belong to principals that were deleted (principalType Unknown).
     */
    existingRoleAssignments: z
      .object({ count: z.number().int().min(0), orphaned: z.number().int().min(0).default(0) })
      .strict()
      .optional(),
  })
  .strict();

export const seedRoleAssignmentSchema = z
  .object({
    /** Assignment name (a GUID); default: generated. */
    name: guid.optional(),
    scope: z.string().min(1),
    /** Built-in role GUID, full role definition id, or role name ("Reader"). */
    role: z.string().min(1),
    principalId: guid,
    principalType: z.enum(["ServicePrincipal", "User", "Group"]).optional(),
    condition: z.string().optional(),
    conditionVersion: z.string().optional(),
  })
  .strict();

export const seedSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    tenantId: guid,
    /** The identity the token endpoint issues tokens for: the automation's own managed identity. */
    caller: z.object({ principalId: guid, displayName: z.string().optional() }).strict(),
    principals: z.array(seedPrincipalSchema).default([]),
    subscriptions: z.array(seedSubscriptionSchema).min(1),
    roleAssignments: z.array(seedRoleAssignmentSchema).default([]),
    /**
     * The agent-version table the service judges agents by: "published" (dev/emulator/agent-versions.ts,
     * the release notes' dates; also when omitted), "none" (every agent Ok; no real service does this) or a
     * table of its own (`version` a major "20" or major.minor prefix; `expiresOn` YYYY-MM-DD or
     * `expiresInDays` from the load; `expired` without a date; `blocked`).
     */
    agentVersions: z
      .union([
        z.literal("published"),
        z.literal("none"),
        z
          .array(
            z
              .object({
                version: z.string().regex(/^\d+(\.\d+)?$/),
                expiresOn: z
                  .string()
                  .regex(/^\d{4}-\d{2}-\d{2}$/)
                  .optional(),
                /** Relative to the seed's load: keeps a demo's NearExpiry agent near expiry whenever it is loaded. */
                expiresInDays: z.number().int().optional(),
                expired: z.boolean().optional(),
                blocked: z.boolean().optional(),
              })
              .strict(),
          )
          .min(1),
      ])
      .default("published"),
  })
  .strict();

/** A seed as written (defaults optional). */
export type SeedInput = z.input<typeof seedSchema>;
/** A seed after validation (defaults applied). */
export type Seed = z.output<typeof seedSchema>;
export type SeedRegisteredServer = z.output<typeof seedRegisteredServerSchema>;
export type SeedStorageSyncService = z.output<typeof seedStorageSyncServiceSchema>;
export type SeedResourceGroup = z.output<typeof seedResourceGroupSchema>;
export type SeedNetworkAcls = z.input<typeof seedNetworkAclsSchema>;

/** Validates a seed object; the error names every offending path. */
export function parseSeed(input: unknown, source = "seed"): Seed {
  const result = seedSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`Invalid ${source}: ${problems}`);
  }
  return result.data;
}

export function readSeedFile(path: string): Seed {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`Cannot read seed file ${path}: ${(e as Error).message}`);
  }
  return parseSeed(raw, `seed file ${path}`);
}

/** Accepts what EmulatorOptions.seed accepts: a path, a written seed, or a parsed one. */
export function resolveSeed(seed: string | SeedInput | Seed): Seed {
  return typeof seed === "string" ? readSeedFile(seed) : parseSeed(seed);
}

// ---- small builders for seeds written in tests ----

export const TEST_TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** Id helpers matching what the seed loader creates. */
export const ids = {
  subscription: (sub: string) => `/subscriptions/${sub}`,
  resourceGroup: (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`,
  storageSyncService: (sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.StorageSync/storageSyncServices/${name}`,
  registeredServer: (serviceId: string, serverId: string) => `${serviceId}/registeredServers/${serverId}`,
  syncGroup: (serviceId: string, name: string) => `${serviceId}/syncGroups/${name}`,
  storageAccount: (sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
  fileShare: (accountId: string, share: string) => `${accountId}/fileServices/default/fileshares/${share}`,
  arcMachine: (sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.HybridCompute/machines/${name}`,
  virtualMachine: (sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
};
