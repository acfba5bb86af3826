import { parseArgs, type ParseArgsConfig } from "node:util";
import { GUID, managedScopeProblem, storageSyncServiceIdProblem } from "../lib/azure";

/** Services worked at once by default: enough that a few subscriptions' buckets are kept busy. */
export const DEFAULT_SERVICE_CONCURRENCY = 16;
export const MAX_SERVICE_CONCURRENCY = 64;

export const USAGE = `Usage:
  afs-identity doctor <storageSyncServiceId> | --subscription <id>  [--app <function app id>] [--json] [--report FILE]
  afs-identity plan  <storageSyncServiceId> | --subscription <id>... | --scope <scopes>...  [--json]
  afs-identity apply <storageSyncServiceId> | --subscription <id>... | --scope <scopes>...  [--yes] [--json]
  afs-identity status --url <app URL> | --tables <endpoint | connection string>  [--json]

Brings Azure File Sync servers onto their managed identities, like
Set-AzStorageSyncServiceIdentity, idempotently: only what is missing is done.

  doctor          check, reading only, that a run can succeed: rights,
                  providers, limits, wiring, Azure's answers (afs-identity doctor --help)
  plan            print what a run would do (reads only)
  apply           do it (asks for confirmation unless --yes)
  --subscription  every Storage Sync Service in the subscription (repeatable)
  --scope         every Storage Sync Service in these scopes, MANAGED_SCOPES
                  syntax: /subscriptions/{id}[/resourceGroups/{name}], comma-
                  separated (repeatable)
  --concurrency   services worked at once (default ${DEFAULT_SERVICE_CONCURRENCY}, at most ${MAX_SERVICE_CONCURRENCY}); ARM's
                  per-subscription throttling is shared by all of them
  --json          machine-readable report on stdout (progress stays on stderr)
  --yes           apply without asking

  status          what a deployed app recorded, from its status API or its
                  tables (afs-identity status --help)

Settings (environment): ARM_ENDPOINT, AZURE_CLIENT_ID, MIN_AGENT_VERSION,
PRUNE_STALE_GRANTS, MAX_CONCURRENCY, PRINCIPAL_NOT_FOUND_RETRIES, PRINCIPAL_NOT_FOUND_BASE_DELAY;
credentials through DefaultAzureCredential.

Exit codes: 0 converged (plan: nothing to do) and no agent below
MIN_AGENT_VERSION; 130 interrupted (Ctrl-C: writes in flight finish, nothing
new starts; a second Ctrl-C stops at once); 2 some servers could not be brought over, an agent is below
MIN_AGENT_VERSION, or (plan) actions are pending; 1 error.`;

export interface CliArgs {
  command: "plan" | "apply";
  /** One service id, or all services of these scopes (/subscriptions/{id}[/resourceGroups/{name}]). */
  target: { serviceId: string } | { scopes: string[] };
  json: boolean;
  yes: boolean;
  /** Services worked at once. */
  concurrency: number;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** node:util's parseArgs, an unknown or malformed option thrown as UsageError. */
export function parseArgsOrUsage<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Parses argv (without node and script); throws UsageError saying what is wrong. */
export function parseCliArgs(argv: string[]): CliArgs | "help" {
  const { values, positionals } = parseArgsOrUsage({
    args: argv,
    allowPositionals: true,
    options: {
      subscription: { type: "string", multiple: true },
      scope: { type: "string", multiple: true },
      concurrency: { type: "string" },
      json: { type: "boolean", default: false },
      yes: { type: "boolean", short: "y", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals[0] === "help") return "help";
  const [command, serviceId, ...extra] = positionals;
  if (command !== "plan" && command !== "apply") {
    throw new UsageError(
      command
        ? `unknown command "${command}" (expected doctor, plan, apply or status)`
        : "missing command (doctor, plan, apply or status)",
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (values.yes && command === "plan") throw new UsageError("--yes only applies to apply");
  const concurrency = parseConcurrency(values.concurrency);
  const scopes = [...(values.subscription ?? []).map(subscriptionScope), ...(values.scope ?? []).flatMap(scopeList)];
  const common = { command: command as CliArgs["command"], json: values.json, yes: values.yes, concurrency };
  if (serviceId && scopes.length > 0)
    throw new UsageError("give either a Storage Sync Service id or --subscription/--scope, not both");
  if (!serviceId && scopes.length === 0)
    throw new UsageError("missing Storage Sync Service id (or --subscription <id>, --scope <scopes>)");
  if (scopes.length > 0)
    return { ...common, target: { scopes: [...new Map(scopes.map((x) => [x.toLowerCase(), x])).values()] } };
  return { ...common, target: { serviceId: serviceIdArgument(serviceId as string) } };
}

/**
 * The same rule as the app's HTTP API: an id ARM would refuse (or that URL parsing would rewrite) never reaches ARM.
 */
export function serviceIdArgument(serviceId: string): string {
  const service = serviceId.replace(/\/+$/, "");
  const problem = storageSyncServiceIdProblem(service);
  if (problem)
    throw new UsageError(`"${service.slice(0, 200)}" is not a Storage Sync Service id ARM accepts: ${problem}`);
  return service;
}

/** A --subscription value (a GUID, or /subscriptions/{GUID}) as its GUID. */
export function subscriptionGuid(value: string): string {
  const id = value
    .trim()
    .replace(/^\/?subscriptions\//i, "")
    .replace(/\/+$/, "");
  if (!GUID.test(id)) throw new UsageError(`--subscription must be a subscription GUID, got "${value}"`);
  return id;
}

function subscriptionScope(value: string): string {
  return `/subscriptions/${subscriptionGuid(value)}`;
}

/** A --scope value: comma-separated scopes, each as MANAGED_SCOPES takes it. */
function scopeList(value: string): string[] {
  const scopes = value
    .split(",")
    .map((s) => s.trim().replace(/\/+$/, ""))
    .filter((s) => s.length > 0);
  if (scopes.length === 0) throw new UsageError("--scope names no scope");
  for (const scope of scopes) {
    const problem = managedScopeProblem(scope);
    if (problem) throw new UsageError(`--scope "${scope.slice(0, 200)}" is not valid: ${problem}`);
  }
  return scopes;
}

function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SERVICE_CONCURRENCY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SERVICE_CONCURRENCY)
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_SERVICE_CONCURRENCY}, got "${value}"`);
  return n;
}
