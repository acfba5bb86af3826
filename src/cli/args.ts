import { parseArgs, type ParseArgsConfig } from "node:util";
import { GUID, storageSyncServiceIdProblem } from "../lib/azure";

export const USAGE = `Usage:
  afs-identity doctor <storageSyncServiceId> | --subscription <id>  [--app <function app id>] [--json] [--report FILE]
  afs-identity plan  <storageSyncServiceId> | --subscription <id>  [--json]
  afs-identity apply <storageSyncServiceId> | --subscription <id>  [--yes] [--json]
  afs-identity status --url <app URL> | --tables <endpoint | connection string>  [--json]

Brings Azure File Sync servers onto their managed identities, like
Set-AzStorageSyncServiceIdentity, idempotently: only what is missing is done.

  doctor          check, reading only, that a run can succeed: rights,
                  providers, limits, wiring, Azure's answers (afs-identity doctor --help)
  plan            print what a run would do (reads only)
  apply           do it (asks for confirmation unless --yes)
  --subscription  every Storage Sync Service in the subscription
  --json          machine-readable report on stdout (progress stays on stderr)
  --yes           apply without asking

  status          what a deployed app recorded, from its status API or its
                  tables (afs-identity status --help)

Settings (environment): ARM_ENDPOINT, AZURE_CLIENT_ID, MIN_AGENT_VERSION,
PRUNE_STALE_GRANTS, MAX_CONCURRENCY, PRINCIPAL_NOT_FOUND_RETRIES, PRINCIPAL_NOT_FOUND_BASE_DELAY;
credentials through DefaultAzureCredential.

Exit codes: 0 converged (plan: nothing to do) and no agent below
MIN_AGENT_VERSION; 2 some servers could not be brought over, an agent is below
MIN_AGENT_VERSION, or (plan) actions are pending; 1 error.`;

export interface CliArgs {
  command: "plan" | "apply";
  /** One service id, or all services of a subscription. */
  target: { serviceId: string } | { subscriptionId: string };
  json: boolean;
  yes: boolean;
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
      subscription: { type: "string" },
      json: { type: "boolean", default: false },
      yes: { type: "boolean", short: "y", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals[0] === "help") return "help";
  const [command, serviceId, ...extra] = positionals;
  if (command !== "plan" && command !== "apply") {
    throw new UsageError(command ? `unknown command "${command}" (expected doctor, plan, apply or status)` : "missing command (doctor, plan, apply or status)");
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (values.yes && command === "plan") throw new UsageError("--yes only applies to apply");
  return { command, target: parseTarget(serviceId, values.subscription), json: values.json, yes: values.yes };
}

/** One Storage Sync Service id or `--subscription <id>` (plan, apply and doctor take the same scopes). */
export function parseTarget(serviceId: string | undefined, subscriptionOption: string | undefined): CliArgs["target"] {
  const subscription = subscriptionOption?.trim();
  if (serviceId && subscription) throw new UsageError("give either a Storage Sync Service id or --subscription, not both");
  if (!serviceId && !subscription) throw new UsageError("missing Storage Sync Service id (or --subscription <id>)");
  if (subscription !== undefined) {
    const id = subscription.replace(/^\/?subscriptions\//i, "");
    if (!GUID.test(id)) throw new UsageError(`--subscription must be a subscription GUID, got "${subscription}"`);
    return { subscriptionId: id };
  }
  // The same rule as the app's HTTP API: an id ARM would refuse (or that URL parsing would rewrite) never reaches ARM.
  const service = (serviceId as string).replace(/\/+$/, "");
  const problem = storageSyncServiceIdProblem(service);
  if (problem) throw new UsageError(`"${service.slice(0, 200)}" is not a Storage Sync Service id ARM accepts: ${problem}`);
  return { serviceId: service };
}
