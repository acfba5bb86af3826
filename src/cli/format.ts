import type { ActionOutcome, Plan, PlannedAction, ReconcileReport, ServerVerdict } from "../lib/reconcile";

const STATUS_MARK: Record<string, string> = {
  succeeded: "done",
  alreadyPresent: "present",
  failed: "FAILED",
  skipped: "skipped",
};

/** The numbered plan, each action with the numbers of the actions it waits for, and its outcome when there is one. */
function actionLines(actions: PlannedAction[], outcomes: Map<string, ActionOutcome>): string[] {
  const lines: string[] = [
    actions.length === 0
      ? "  Plan: nothing to do."
      : `  Plan (${actions.length} action${actions.length === 1 ? "" : "s"}):`,
  ];
  const number = new Map(actions.map((a, i) => [a.id, i + 1]));
  for (const action of actions) {
    const after =
      action.dependsOn.length > 0 ? ` [after ${action.dependsOn.map((d) => number.get(d)).join(", ")}]` : "";
    const o = outcomes.get(action.id);
    const result =
      !o || o.skippedBecause === "dry run"
        ? ""
        : `  -> ${STATUS_MARK[o.status]}${o.error ? `: ${o.error.code}: ${o.error.message}` : ""}${o.skippedBecause ? ` (${o.skippedBecause})` : ""}`;
    lines.push(`    ${number.get(action.id)}. ${action.description}${after}${result}`);
    if (o?.remedy) lines.push(`       remedy: ${o.remedy}`);
  }
  return lines;
}

function serverLines(servers: ServerVerdict[], shownRemedies: Set<string>): string[] {
  const lines = servers.length > 0 ? ["  Servers:"] : [];
  for (const v of servers) {
    lines.push(`    ${v.name.padEnd(24)} ${v.state.padEnd(17)} ${v.reason}`);
    if (v.remedy && !shownRemedies.has(v.remedy)) lines.push(`      remedy: ${v.remedy}`);
  }
  return lines;
}

/** What `apply` shows before asking for confirmation. */
export function formatPlan(plan: Plan): string {
  return [
    `Storage Sync Service ${plan.serviceId}`,
    ...actionLines(plan.actions, new Map()),
    ...serverLines(plan.servers, new Set()),
    ...plan.warnings.map((w) => `  warning: ${w}`),
  ].join("\n");
}

/** The human-readable report: the plan, outcomes, server verdicts, ARM calls. */
export function formatReport(report: ReconcileReport<PlannedAction>): string {
  const s = report.service;
  const outcomes = new Map(report.outcomes.map((o) => [o.actionId, o]));
  const shownRemedies = new Set(report.outcomes.flatMap((o) => (o.remedy ? [o.remedy] : [])));
  return [
    `Storage Sync Service ${report.serviceId}`,
    `  identity: ${s.identityType ?? "None"}${s.principalId ? ` (principal ${s.principalId})` : ""}; useIdentity: ${s.useIdentity}${report.dryRun ? " (as planned)" : ""}`,
    ...actionLines(report.plan, outcomes),
    ...serverLines(report.servers, shownRemedies),
    ...report.warnings.map((w) => `  warning: ${w}`),
    `  ARM calls: ${report.armCalls.reads} reads, ${report.armCalls.writes} writes; ${report.converged ? "converged" : report.dryRun ? "changes pending" : "NOT converged"}`,
  ].join("\n");
}
