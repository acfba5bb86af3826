import { parseArgs } from "node:util";
import { DEFAULT_CHAOS, failedCounts, runChaos, type ChaosReport } from "./run-chaos";

/**
 * npm run chaos -- [--seed N] [--services N] [--servers N] [--sync-groups N] [--fault-seconds N] [--converge-seconds N]
 * [--hosts N]
 *
 * Azurite, the emulator and two local hosts on one queue, on loopback only;
 * faults for a while, then convergence; prints the figures and exits 1 when
 * any count is not 0.
 */
const USAGE =
  "usage: npm run chaos -- [--seed N] [--services N] [--servers N] [--sync-groups N] [--fault-seconds N] [--converge-seconds N] [--hosts N]";

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got '${value}'\n${USAGE}`);
  return n;
}

export function printReport(report: ChaosReport, write: (line: string) => void): void {
  const row = (label: string, value: string | number) => write(`  ${label.padEnd(56)} ${value}`);
  write(`Chaos run, seed ${report.seed}: ${report.services} services, ${report.servers} servers`);
  write("Injected:");
  for (const [kind, n] of Object.entries(report.faultsByKind)) row(kind, n);
  row("hosts killed (of which at a write, before its answer)", `${report.hostKills} (${report.killsOnWrite})`);
  row("hosts paused past the lease, then resumed (SIGSTOP/SIGCONT)", report.hostPauses);
  row("hosts restarted", report.hostRestarts);
  row(
    "events published / duplicated / delivered",
    `${report.events.published} / ${report.events.duplicated} / ${report.events.delivered}`,
  );
  row(
    "runs accepted / ARM writes applied / journal rows",
    `${report.acceptedRuns} / ${report.armWrites} / ${report.journalRows}`,
  );
  row("ARM writes others undid before a run looked (notApplied)", report.writesUndoneByOthers);
  write("Counts (each must be 0):");
  row("requests lost", report.counts.requestsLost);
  row("duplicate role assignments", report.counts.duplicateAssignments);
  row("servers switched before grants / useIdentity", report.counts.orderViolations);
  row("ARM writes without an audit entry", report.counts.armWritesWithoutAudit);
  row("audit entries without an ARM write", report.counts.auditEntriesWithoutArmWrite);
  row("journal intents left unresolved", report.counts.unresolvedIntents);
  row("services not converged", report.counts.servicesNotConverged);
  row(
    "convergence after the faults stopped",
    report.convergenceSeconds === undefined ? "not within the bound" : `${report.convergenceSeconds.toFixed(1)} s`,
  );
  for (const [name, items] of Object.entries(report.details)) {
    if (!items || items.length === 0) continue;
    write(`${name}:`);
    for (const item of items) write(`  - ${item}`);
  }
  if (report.histories.length > 0) write("History of each target named above:");
  for (const line of report.histories) write(`  ${line}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string" },
      services: { type: "string" },
      servers: { type: "string" },
      "sync-groups": { type: "string" },
      "fault-seconds": { type: "string" },
      "converge-seconds": { type: "string" },
      hosts: { type: "string" },
    },
    strict: true,
  });
  const seed = whole("seed", values.seed, Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31 - 1);
  const options = {
    seed,
    services: whole("services", values.services, DEFAULT_CHAOS.services, 1, 500),
    serversPerService: whole("servers", values.servers, DEFAULT_CHAOS.serversPerService, 0, 100),
    syncGroupsPerService: whole("sync-groups", values["sync-groups"], DEFAULT_CHAOS.syncGroupsPerService, 1, 50),
    faultSeconds: whole("fault-seconds", values["fault-seconds"], DEFAULT_CHAOS.faultSeconds, 1, 3_600),
    convergeTimeoutSeconds: whole(
      "converge-seconds",
      values["converge-seconds"],
      DEFAULT_CHAOS.convergeTimeoutSeconds,
      1,
      3_600,
    ),
    hosts: whole("hosts", values.hosts, DEFAULT_CHAOS.hosts, 1, 8),
  };
  console.log(`chaos: seed ${seed} (replay with --seed ${seed})`);
  const started = Date.now();
  const report = await runChaos({ ...options, log: (line) => console.log(`chaos: ${line}`) });
  printReport(report, (line) => console.log(line));
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const failed = failedCounts(report);
  console.log(failed.length === 0 ? "PASS: every count is 0" : `FAIL: ${failed.join(", ")} not 0`);
  return failed.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
