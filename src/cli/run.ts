import { createInterface } from "node:readline/promises";
import { createArmConnection, type ArmConnection, createCredential, listStorageSyncServices, toArmErrorInfo } from "../lib/azure";
import { ConfigError, loadEngineConfig } from "../lib/config";
import { ReconcileError, reconcileService, type EngineSettings, type Plan, type PlannedAction, type ReconcileReport } from "../lib/reconcile";
import { USAGE, UsageError, parseCliArgs, type CliArgs } from "./args";
import { EXIT, exitCodeOf } from "./exit-code";
import { formatPlan, formatReport } from "./format";
import type { CliIo } from "./io";
import { runDoctor } from "./doctor/run";
import { runStatus } from "./status/run";

interface ServiceFailure {
  serviceId: string;
  error: { code: string; message: string; statusCode?: number; requestId?: string; transient?: boolean; remedy?: string };
}

async function ask(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function serviceIdsOf(arm: ArmConnection, args: CliArgs): Promise<string[]> {
  if ("serviceId" in args.target) return [args.target.serviceId];
  return listStorageSyncServices(arm, `/subscriptions/${args.target.subscriptionId}`);
}

/** The whole CLI as a function of argv and streams; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  if (argv[0] === "status") return runStatus(argv.slice(1), io);
  if (argv[0] === "doctor") return runDoctor(argv.slice(1), io);
  let args: CliArgs | "help";
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`afs-identity: ${error.message}\n\n${USAGE}`);
    return EXIT.error;
  }
  if (args === "help") {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.converged;
  }
  let settings: EngineSettings;
  let arm: ArmConnection;
  try {
    const config = loadEngineConfig(io.env);
    settings = config;
    arm = createArmConnection({ endpoint: config.armEndpoint, credential: createCredential({ managedIdentityClientId: config.managedIdentityClientId }) });
  } catch (error) {
    say(`afs-identity: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }

  const reports: ReconcileReport<PlannedAction>[] = [];
  const failures: ServiceFailure[] = [];
  const onProgress = (message: string) => say(`  ${message}`);
  let serviceIds: string[];
  try {
    serviceIds = await serviceIdsOf(arm, args);
  } catch (error) {
    const info = toArmErrorInfo(error);
    say(`afs-identity: cannot list Storage Sync Services: ${info.code}: ${info.message}`);
    return EXIT.error;
  }
  if (serviceIds.length === 0) say("No Storage Sync Service found.");

  for (const serviceId of serviceIds) {
    try {
      say(`${args.command === "plan" ? "Planning" : "Reconciling"} ${serviceId}`);
      let refusedWithoutTerminal = false;
      // `apply` without --yes shows the plan and asks; the confirmed plan is exactly what runs.
      const confirm =
        args.command === "apply" && !args.yes
          ? async (plan: Plan) => {
              say(formatPlan(plan));
              if (!io.stdin.isTTY) {
                refusedWithoutTerminal = true;
                return false;
              }
              const yes = await ask(io, `Apply ${plan.actions.length} action(s) to ${serviceId}? [y/N] `);
              if (!yes) say("Skipped.");
              return yes;
            }
          : undefined;
      const report = await reconcileService(arm, serviceId, { dryRun: args.command === "plan", settings, onProgress, signal: io.signal, confirm });
      if (refusedWithoutTerminal) {
        say("afs-identity: refusing to apply without confirmation: stdin is not a terminal, pass --yes");
        return EXIT.error;
      }
      reports.push(report);
    } catch (error) {
      const info = toArmErrorInfo(error);
      const failure: ServiceFailure = {
        serviceId,
        error: {
          ...info,
          ...(error instanceof ReconcileError ? { message: error.message, transient: error.transient, remedy: error.remedy } : {}),
        },
      };
      failures.push(failure);
      say(`afs-identity: ${serviceId}: ${failure.error.message}${failure.error.remedy ? `\n  remedy: ${failure.error.remedy}` : ""}`);
    }
  }

  const exitCode = failures.length > 0 ? EXIT.error : Math.max(EXIT.converged, ...reports.map(exitCodeOf));
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ command: args.command, exitCode, reports, failures }, null, 2)}\n`);
  } else {
    for (const report of reports) io.stdout.write(`${formatReport(report)}\n`);
  }
  return exitCode;
}
