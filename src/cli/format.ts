import type { PlannedAction, ReconcileReport } from "../lib/reconcile";

const STATUS_MARK: Record<string, string> = { succeeded: "done", alreadyPresent: "present", failed: "FAILED", skipped: "skipped" };

/** The human-readable report: the plan (numbered, with its dependencies), outcomes, server verdicts. */
export function formatReport(report: ReconcileReport<PlannedAction>): string {
  const lines: string[] = [];
  const s = report.service;
  lines.push(`Storage Sync Service ${report.serviceId}`);
  lines.push(`  identity: ${s.identityType ?? "None"}${s.principalId ? ` (principal ${s.principalId})` : ""}; useIdentity: ${s.useIdentity}${report.dryRun ? " (as planned)" : ""}`);
  const number = new Map(report.plan.map((a, i) => [a.id, i + 1]));
  const outcome = new Map(report.outcomes.map((o) => [o.actionId, o]));
  lines.push(report.plan.length === 0 ? "  Plan: nothing to do." : `  Plan (${report.plan.length} action${report.plan.length === 1 ? "" : "s"}):`);
  for (const action of report.plan) {
    const after = action.dependsOn.length > 0 ? ` [after ${action.dependsOn.map((d) => number.get(d)).join(", ")}]` : "";
    const o = outcome.get(action.id);
    const result = report.dryRun || !o ? "" : `  -> ${STATUS_MARK[o.status]}${o.error ? `: ${o.error.code}: ${o.error.message}` : ""}${o.skippedBecause ? ` (${o.skippedBecause})` : ""}`;
    lines.push(`    ${number.get(action.id)}. ${action.description}${after}${result}`);
    if (o?.remedy) lines.push(`       remedy: ${o.remedy}`);
  }
  if (report.servers.length > 0) lines.push("  Servers:");
  for (const v of report.servers) {
    lines.push(`    ${v.name.padEnd(24)} ${v.state.padEnd(17)} ${v.reason}`);
    if (v.remedy && !report.plan.some((a) => outcome.get(a.id)?.remedy === v.remedy)) lines.push(`      remedy: ${v.remedy}`);
  }
  for (const w of report.warnings) lines.push(`  warning: ${w}`);
  lines.push(`  ARM calls: ${report.armCalls.reads} reads, ${report.armCalls.writes} writes; ${report.converged ? "converged" : report.dryRun ? "changes pending" : "NOT converged"}`);
  return lines.join("\n");
}
