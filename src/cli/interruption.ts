import type { PlannedAction, ReconcileReport } from "../lib/reconcile";
import type { ServiceFailure } from "./reconcile-many";

/** What a stopped run did and did not do, service by service, for the terminal. */
export function interruptionSummary(run: {
  reports: ReconcileReport<PlannedAction>[];
  failures: ServiceFailure[];
  notStarted: string[];
}): string {
  const lines = ["Interrupted: writes in flight finished, nothing new was started."];
  let made = 0;
  let left = 0;
  const partly: string[] = [];
  const done: string[] = [];
  for (const report of run.reports) {
    const ok = report.outcomes.filter((o) => o.status === "succeeded" || o.status === "alreadyPresent").length;
    const notDone = report.outcomes.length - ok;
    made += ok;
    left += notDone;
    if (notDone === 0 && report.converged) done.push(report.serviceId);
    else partly.push(`${report.serviceId}: ${ok} of ${report.outcomes.length} action(s) done`);
  }
  lines.push(
    `Writes done: ${made}; not done: ${left} (in services started), plus whatever the ${run.notStarted.length} service(s) not started need.`,
  );
  lines.push(`Done (${done.length}):`, ...done.map((id) => `  ${id}`));
  lines.push(`Not done (${partly.length + run.failures.length + run.notStarted.length}):`);
  lines.push(...partly.map((l) => `  ${l}`));
  lines.push(...run.failures.map((f) => `  ${f.serviceId}: failed: ${f.error.message}`));
  lines.push(...run.notStarted.map((id) => `  ${id}: not started`));
  lines.push("Run the same command again to finish: only what is missing is done.");
  return lines.join("\n");
}
