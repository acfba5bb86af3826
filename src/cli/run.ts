import {
  createArmConnection,
  type ArmConnection,
  createCredential,
  listStorageSyncServices,
  ThrottleWaitMeter,
  toArmErrorInfo,
} from "../lib/azure";
import { ConfigError, loadEngineConfig } from "../lib/config";
import { MachineDirectory, type EngineSettings } from "../lib/reconcile";
import { USAGE, UsageError, parseCliArgs, type CliArgs } from "./args";
import { EXIT, exitCodeOf } from "./exit-code";
import { formatReport } from "./format";
import { interruptionSummary } from "./interruption";
import type { CliIo } from "./io";
import { runDoctor } from "./doctor/run";
import { reconcileMany } from "./reconcile-many";
import { runStatus } from "./status/run";

/** Every Storage Sync Service of the target, each once, in the order the scopes list them. */
async function serviceIdsOf(arm: ArmConnection, args: CliArgs): Promise<string[]> {
  if ("serviceId" in args.target) return [args.target.serviceId];
  const ids = new Map<string, string>();
  for (const scope of args.target.scopes)
    for (const id of await listStorageSyncServices(arm, scope))
      if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), id);
  return [...ids.values()];
}

/** The whole CLI as a function of argv and streams; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  // status and doctor only read: the first Ctrl-C cancels them.
  if (argv[0] === "status") return runStatus(argv.slice(1), { ...io, signal: io.signal ?? io.stop });
  if (argv[0] === "doctor") return runDoctor(argv.slice(1), { ...io, signal: io.signal ?? io.stop });
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
  const throttleWaits = new ThrottleWaitMeter();
  try {
    const config = loadEngineConfig(io.env);
    settings = config;
    arm = createArmConnection({
      endpoint: config.armEndpoint,
      credential: createCredential({ managedIdentityClientId: config.managedIdentityClientId }),
      throttleWaits,
    });
  } catch (error) {
    say(`afs-identity: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }

  let serviceIds: string[];
  try {
    serviceIds = await serviceIdsOf(arm, args);
  } catch (error) {
    const info = toArmErrorInfo(error);
    say(`afs-identity: cannot list Storage Sync Services: ${info.code}: ${info.message}`);
    return EXIT.error;
  }
  if (serviceIds.length === 0) say("No Storage Sync Service found.");
  // One list of machines per subscription for the whole invocation, however many services it reconciles.
  const machines = new MachineDirectory(arm, settings.machineScopes);

  const { reports, failures, notStarted, refusedWithoutTerminal } = await reconcileMany(arm, serviceIds, args, {
    io,
    settings,
    throttleWaits,
    machines,
  });
  if (refusedWithoutTerminal) {
    say("afs-identity: refusing to apply without confirmation: stdin is not a terminal, pass --yes");
    return EXIT.error;
  }
  const interrupted = io.stop?.aborted === true;
  const exitCode = interrupted
    ? EXIT.interrupted
    : failures.length > 0
      ? EXIT.error
      : Math.max(EXIT.converged, ...reports.map(exitCodeOf));
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ command: args.command, exitCode, reports, failures }, null, 2)}\n`);
  } else {
    for (const report of reports) io.stdout.write(`${formatReport(report)}\n`);
  }
  if (interrupted) say(interruptionSummary({ reports, failures, notStarted }));
  return exitCode;
}
