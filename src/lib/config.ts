import { z } from "zod";
import { GUID, managedScopeProblem } from "./azure";
import type { SignInMode } from "./sign-in-mode";

/**
 * Every setting the app reads, validated once. This is the only module that
 * reads process.env (besides sign-in-mode.ts, which reads STATUS_PAGE_SIGN_IN
 * alone when the status page registers); everything else receives a typed Config.
 */

const ISO_DURATION = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const AGENT_VERSION = /^\d+(\.\d+){1,3}$/;
/** NCRONTAB as the Functions host takes it: six fields, seconds first. */
const NCRONTAB = /^\S+( \S+){5}$/;

/** Parses an ISO 8601 duration limited to days, hours, minutes and seconds into milliseconds. */
export function parseIsoDuration(text: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!match || text === "P" || text.endsWith("T")) throw new Error(`not an ISO 8601 duration: ${text}`);
  const [, d, h, m, s] = match;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(m ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

const duration = (name: string, fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => ISO_DURATION.test(v), { message: `${name} must be an ISO 8601 duration such as PT1H or PT15M` })
    .transform((v) => parseIsoDuration(v));

const positiveInt = (name: string, fallback: number, max: number) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback);

/** Also what `afs-identity status --table-prefix` accepts. */
export const tableNamePrefixSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9]{2,40}$/, "TABLE_NAME_PREFIX must be 3-41 letters or digits, starting with a letter");

/**
 * Set to `entra` by infra/ only together with App Service Authentication: the
 * platform strips the principal headers from outside requests, so without it
 * anyone could claim to be signed in. Any other value is refused.
 */
const statusPageSignInSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z.literal("entra", {
      message: "STATUS_PAGE_SIGN_IN must be entra (set by infra/ together with App Service Authentication) or unset",
    }),
  )
  .optional();

const schema = z
  .object({
    ARM_ENDPOINT: z
      .url({ message: "ARM_ENDPOINT must be an https URL" })
      .default("https://management.azure.com")
      .refine((v) => v.startsWith("https://"), {
        message: "ARM_ENDPOINT must use https (bearer tokens are never sent over http)",
      }),
    AZURE_CLIENT_ID: z.string().trim().regex(GUID, "AZURE_CLIENT_ID must be a GUID").optional(),
    MANAGED_SCOPES: z
      .string({
        message:
          "MANAGED_SCOPES is required: comma-separated /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{name}",
      })
      .transform((v) =>
        v
          .split(",")
          .map((s) => s.trim().replace(/\/+$/, ""))
          .filter((s) => s.length > 0),
      )
      .refine((list) => list.length > 0, { message: "MANAGED_SCOPES must name at least one scope" })
      .superRefine((list, ctx) => {
        for (const scope of list) {
          const problem = managedScopeProblem(scope);
          if (problem)
            ctx.addIssue({
              code: "custom",
              message: `MANAGED_SCOPES entry "${scope.slice(0, 200)}" is not valid: ${problem}`,
            });
        }
      }),
    RECONCILE_QUEUE_NAME: z
      .string()
      .trim()
      .regex(
        /^[a-z0-9](?!.*--)[a-z0-9-]{1,55}[a-z0-9]$/,
        "RECONCILE_QUEUE_NAME must be a valid queue name (3-57 lower-case letters, digits, single hyphens)",
      )
      .default("reconcile"),
    TABLE_NAME_PREFIX: tableNamePrefixSchema.default("afsIdentity"),
    AzureWebJobsStorage: z.string().trim().min(1).optional(),
    AzureWebJobsStorage__queueServiceUri: z
      .url({ message: "AzureWebJobsStorage__queueServiceUri must be a URL" })
      .optional(),
    AzureWebJobsStorage__tableServiceUri: z
      .url({ message: "AzureWebJobsStorage__tableServiceUri must be a URL" })
      .optional(),
    AzureWebJobsStorage__clientId: z
      .string()
      .trim()
      .regex(GUID, "AzureWebJobsStorage__clientId must be a GUID")
      .optional(),
    AzureWebJobsStorage__credential: z
      .literal("managedidentity", { message: "AzureWebJobsStorage__credential must be 'managedidentity'" })
      .optional(),
    ACTIVATION_WINDOW: duration("ACTIVATION_WINDOW", "PT1H"),
    ACTIVATION_CHECK_SCHEDULE: z
      .string()
      .trim()
      .regex(NCRONTAB, "ACTIVATION_CHECK_SCHEDULE must be a six-field NCRONTAB expression")
      .default("0 */5 * * * *"),
    FULL_SWEEP_SCHEDULE: z
      .string()
      .trim()
      .regex(NCRONTAB, "FULL_SWEEP_SCHEDULE must be a six-field NCRONTAB expression")
      .default("0 30 2 * * *"),
    MIN_AGENT_VERSION: z
      .string()
      .trim()
      .regex(AGENT_VERSION, "MIN_AGENT_VERSION must look like 20.0.0.0")
      .default("20.0.0.0"),
    PRUNE_STALE_GRANTS: z
      .enum(["true", "false"], { message: "PRUNE_STALE_GRANTS must be true or false" })
      .default("false")
      .transform((v) => v === "true"),
    MAX_CONCURRENCY: positiveInt("MAX_CONCURRENCY", 4, 32),
    ROLE_ASSIGNMENT_LIMIT: positiveInt("ROLE_ASSIGNMENT_LIMIT", 4000, 4000),
    PRINCIPAL_NOT_FOUND_RETRIES: positiveInt("PRINCIPAL_NOT_FOUND_RETRIES", 6, 20),
    PRINCIPAL_NOT_FOUND_BASE_DELAY: duration("PRINCIPAL_NOT_FOUND_BASE_DELAY", "PT2S"),
    RECONCILE_COALESCE_DELAY: duration("RECONCILE_COALESCE_DELAY", "PT15S"),
    LEASE_DURATION: duration("LEASE_DURATION", "PT10M"),
    DISCOVERY_RECHECK_DELAYS: z
      .string()
      .trim()
      .default("PT2M,PT5M,PT15M,PT30M,PT1H")
      .transform((v) => v.split(",").map((s) => s.trim()))
      .refine((list) => list.length > 0 && list.every((s) => ISO_DURATION.test(s)), {
        message: "DISCOVERY_RECHECK_DELAYS must be comma-separated ISO 8601 durations, e.g. PT2M,PT5M,PT15M",
      })
      .transform((list) => list.map(parseIsoDuration)),
    // Telemetry off when unset. The host reads the same setting for its own logs.
    APPLICATIONINSIGHTS_CONNECTION_STRING: z
      .string()
      .trim()
      .refine((v) => /(^|;)\s*InstrumentationKey\s*=/i.test(v), {
        message:
          "APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)",
      })
      .optional(),
    STATUS_PAGE_SIGN_IN: statusPageSignInSchema,
  })
  .refine(
    (s) =>
      s.AzureWebJobsStorage !== undefined ||
      (s.AzureWebJobsStorage__queueServiceUri !== undefined && s.AzureWebJobsStorage__tableServiceUri !== undefined),
    {
      message:
        "set AzureWebJobsStorage (connection string) or both AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__tableServiceUri (identity-based)",
      path: ["AzureWebJobsStorage"],
    },
  );

/** Names of every setting the app reads; infra, local.settings.sample.json and the README list exactly these. */
export const SETTING_NAMES: readonly string[] = Object.keys(schema.shape);

export interface StorageConnection {
  connectionString?: string;
  queueServiceUri?: string;
  tableServiceUri?: string;
  /** Client id of the user-assigned identity used for storage, when identity-based. */
  clientId?: string;
}

export interface Config {
  armEndpoint: string;
  managedIdentityClientId?: string;
  managedScopes: string[];
  reconcileQueueName: string;
  tableNamePrefix: string;
  storage: StorageConnection;
  activationWindowMs: number;
  activationCheckSchedule: string;
  fullSweepSchedule: string;
  minAgentVersion: string;
  /** Remove the stale File Sync grants this product created (needs roleAssignments/delete). */
  pruneStaleGrants: boolean;
  maxConcurrency: number;
  /** Role assignments a subscription may hold (Azure's fixed 4,000; lower only to test against a lowered emulator). */
  roleAssignmentLimit: number;
  principalNotFoundRetries: number;
  principalNotFoundBaseDelayMs: number;
  reconcileCoalesceDelayMs: number;
  leaseDurationMs: number;
  discoveryRecheckDelaysMs: number[];
  /** Application Insights connection string; telemetry is off without it. */
  applicationInsightsConnectionString?: string;
  statusPageSignIn: SignInMode;
}

/** A setting that failed validation; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid settings:\n  - ${issues.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Picks the named settings (an empty value counts as unset) and validates them, naming every bad one. */
function parseSettings<S extends z.ZodType>(
  settingsSchema: S,
  names: readonly string[],
  env: NodeJS.ProcessEnv,
): z.output<S> {
  const picked = Object.fromEntries(names.map((name) => [name, env[name] === "" ? undefined : env[name]]));
  const parsed = settingsSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`));
  }
  return parsed.data;
}

/** Reads and validates the settings; throws ConfigError naming each bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const s = parseSettings(schema, SETTING_NAMES, env);
  return {
    armEndpoint: s.ARM_ENDPOINT.replace(/\/+$/, ""),
    managedIdentityClientId: s.AZURE_CLIENT_ID,
    managedScopes: s.MANAGED_SCOPES,
    reconcileQueueName: s.RECONCILE_QUEUE_NAME,
    tableNamePrefix: s.TABLE_NAME_PREFIX,
    storage: {
      connectionString: s.AzureWebJobsStorage,
      queueServiceUri: s.AzureWebJobsStorage__queueServiceUri,
      tableServiceUri: s.AzureWebJobsStorage__tableServiceUri,
      clientId: s.AzureWebJobsStorage__clientId,
    },
    activationWindowMs: s.ACTIVATION_WINDOW,
    activationCheckSchedule: s.ACTIVATION_CHECK_SCHEDULE,
    fullSweepSchedule: s.FULL_SWEEP_SCHEDULE,
    minAgentVersion: s.MIN_AGENT_VERSION,
    pruneStaleGrants: s.PRUNE_STALE_GRANTS,
    maxConcurrency: s.MAX_CONCURRENCY,
    roleAssignmentLimit: s.ROLE_ASSIGNMENT_LIMIT,
    principalNotFoundRetries: s.PRINCIPAL_NOT_FOUND_RETRIES,
    principalNotFoundBaseDelayMs: s.PRINCIPAL_NOT_FOUND_BASE_DELAY,
    reconcileCoalesceDelayMs: s.RECONCILE_COALESCE_DELAY,
    leaseDurationMs: s.LEASE_DURATION,
    discoveryRecheckDelaysMs: s.DISCOVERY_RECHECK_DELAYS,
    applicationInsightsConnectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING,
    statusPageSignIn: s.STATUS_PAGE_SIGN_IN ?? "functionKey",
  };
}

/** The settings the reconcile engine and the one-shot CLI need (no app-only settings such as MANAGED_SCOPES). */
export type EngineConfig = Pick<
  Config,
  | "armEndpoint"
  | "managedIdentityClientId"
  | "minAgentVersion"
  | "pruneStaleGrants"
  | "maxConcurrency"
  | "roleAssignmentLimit"
  | "principalNotFoundRetries"
  | "principalNotFoundBaseDelayMs"
>;

const engineSchema = z.object({
  ARM_ENDPOINT: schema.shape.ARM_ENDPOINT,
  AZURE_CLIENT_ID: schema.shape.AZURE_CLIENT_ID,
  MIN_AGENT_VERSION: schema.shape.MIN_AGENT_VERSION,
  PRUNE_STALE_GRANTS: schema.shape.PRUNE_STALE_GRANTS,
  MAX_CONCURRENCY: schema.shape.MAX_CONCURRENCY,
  ROLE_ASSIGNMENT_LIMIT: schema.shape.ROLE_ASSIGNMENT_LIMIT,
  PRINCIPAL_NOT_FOUND_RETRIES: schema.shape.PRINCIPAL_NOT_FOUND_RETRIES,
  PRINCIPAL_NOT_FOUND_BASE_DELAY: schema.shape.PRINCIPAL_NOT_FOUND_BASE_DELAY,
});

/** Like loadConfig, for the engine's settings only (used by the CLI); throws ConfigError naming each bad one. */
export function loadEngineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const s = parseSettings(engineSchema, Object.keys(engineSchema.shape), env);
  return {
    armEndpoint: s.ARM_ENDPOINT.replace(/\/+$/, ""),
    managedIdentityClientId: s.AZURE_CLIENT_ID,
    minAgentVersion: s.MIN_AGENT_VERSION,
    pruneStaleGrants: s.PRUNE_STALE_GRANTS,
    maxConcurrency: s.MAX_CONCURRENCY,
    roleAssignmentLimit: s.ROLE_ASSIGNMENT_LIMIT,
    principalNotFoundRetries: s.PRINCIPAL_NOT_FOUND_RETRIES,
    principalNotFoundBaseDelayMs: s.PRINCIPAL_NOT_FOUND_BASE_DELAY,
  };
}
