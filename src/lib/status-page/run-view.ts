import { duration, plain, resourceName, time, triggerSummary } from "./format";
import { html, type Html } from "./html";
import { layout, runStatusBadge, stateBadge, type PageFrame } from "./layout";
import type { ActionOutcome, PlannedActionBase } from "../reconcile";
import { ROLE_NAMES, type RoleDefinitionGuid } from "../azure";
import type { RunAttempt, RunServerSummary, WriteRecord } from "../store";
import type { RunView } from "./view-types";

/** Every field of a trigger (who, from where, which event) as a definition list. */
function triggerFacts(trigger: RunView["trigger"]): Html {
  return html`<dl class="facts">${Object.entries(trigger).map(([k, v]) => html`<dt>${k}</dt><dd>${plain(v)}</dd>`)}</dl>`;
}

// The plan, outcomes and servers are JSON columns stored as the engine wrote them: every field is rendered through
// plain().
function planRow(p: PlannedActionBase): Html {
  return html`<tr><th scope="row" class="mono">${plain(p.id)}</th><td>${plain(p.kind)}</td><td>${plain(p.description)}</td><td class="mono small">${Array.isArray(p.dependsOn) ? p.dependsOn.map(plain).join(", ") : ""}</td></tr>`;
}

function outcomeRow(o: ActionOutcome): Html {
  const error = o.error;
  return html`<tr>
<th scope="row" class="mono">${plain(o.actionId)}</th>
<td>${runStatusBadge(plain(o.status))}</td>
<td>${plain(o.attempts)}</td>
<td>${duration(typeof o.durationMs === "number" ? o.durationMs : undefined)}</td>
<td class="mono">${plain(o.requestId) || (error ? plain(error.requestId) : "") || "—"}</td>
<td>${error ? html`<span class="error-text">${plain(error.code)}${error.statusCode ? ` (HTTP ${plain(error.statusCode)})` : ""}: ${plain(error.message)}</span>` : ""}${o.skippedBecause ? html`skipped: ${plain(o.skippedBecause)}` : ""}</td>
<td>${plain(o.remedy) || "—"}</td>
</tr>`;
}

function attemptRow(a: RunAttempt): Html {
  return html`<tr><th scope="row">${plain(a.attempt)}</th><td>${plain(a.worker)}</td><td>${time(a.startedAt)}</td><td>${time(a.finishedAt)}</td><td>${runStatusBadge(plain(a.status))}</td><td>${a.error ? html`<span class="error-text">${plain(a.errorCode)}: ${plain(a.error)}</span>` : "—"}</td></tr>`;
}

// The time of a write: when ARM answered, or when it was intended if no answer was recorded.
function writeRow(w: WriteRecord): Html {
  const role = w.roleDefinitionGuid
    ? (ROLE_NAMES[w.roleDefinitionGuid as RoleDefinitionGuid] ?? w.roleDefinitionGuid)
    : "";
  return html`<tr>
<th scope="row">${plain(w.kind)}</th>
<td class="mono small">${plain(w.principalId) || "—"}</td>
<td>${plain(role) || "—"}</td>
<td class="mono small">${plain(w.scope ?? w.target)}</td>
<td class="mono small">${plain(w.armRequestId) || "—"}</td>
<td class="mono small">${plain(w.clientRequestId)}</td>
<td>${time(w.finishedAt ?? w.intendedAt)}</td>
<td>${plain(w.attempt)}</td>
<td>${runStatusBadge(plain(w.status))}${w.resolvedBy ? html` <span class="small">resolved by ${plain(w.resolvedBy)}</span>` : ""}${w.error ? html` <span class="error-text">${plain(w.errorCode)}: ${plain(w.error)}</span>` : ""}</td>
</tr>`;
}

function serverRow(s: RunServerSummary): Html {
  return html`<tr><th scope="row">${plain(s.name)}</th><td>${stateBadge(plain(s.state))}</td><td class="mono">${plain(s.principalId) || "—"}</td><td>${s.switchedThisRun === true ? "yes" : "no"}</td></tr>`;
}

/**
 * A table with a caption, or only the caption's words and "none" when there are no rows (an empty grid says nothing).
 */
function table(caption: string, head: readonly string[], rows: readonly Html[]): Html {
  if (rows.length === 0) return html`<h2 class="empty-table">${caption}: none</h2>`;
  return html`<table>
<caption>${caption}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** GET /api/page/runs/{runId}: the audit trail of one run. */
export function runPage(
  frame: Omit<PageFrame, "title" | "trail" | "refreshSeconds">,
  run: RunView,
  serviceHref: string,
  notice?: string,
): Html {
  const service = resourceName(run.serviceId);
  const pending = run.status === "queued" || run.status === "running" || run.status === "retrying";
  const plan = run.plan ?? [];
  const outcomes = run.outcomes ?? [];
  const servers = run.servers ?? [];
  const body = html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
<h1>Run <span class="mono">${run.runId}</span></h1>
<p>${runStatusBadge(run.status)}${run.dryRun ? " dry run: observed and planned only" : ""}${pending ? " — this page reloads every 3 seconds until the run finishes" : ""}</p>
<dl class="facts">
<dt>Service</dt><dd><a href="${serviceHref}">${service}</a></dd>
<dt>Trigger</dt><dd>${triggerSummary(run.trigger)}</dd>
<dt>Queued</dt><dd>${time(run.queuedAt)}</dd>
<dt>Started</dt><dd>${time(run.startedAt)}</dd>
<dt>Finished</dt><dd>${time(run.finishedAt)}</dd>
<dt>Duration</dt><dd>${duration(run.durationMs)}</dd>
<dt>ARM calls</dt><dd>${run.armReads ?? "—"} reads, ${run.armWrites ?? "—"} writes</dd>
<dt>Attempt</dt><dd>${run.attempt ?? "—"}${run.worker ? ` on ${run.worker}` : ""}</dd>
<dt>Converged</dt><dd>${run.converged === undefined ? "—" : run.converged ? "yes" : "no"}</dd>
${run.error ? html`<dt>Error</dt><dd class="error-text">${run.errorCode ? `${run.errorCode}: ` : ""}${run.error}</dd>` : ""}
</dl>
<section aria-labelledby="trigger-h"><h2 id="trigger-h">Who asked</h2>${triggerFacts(run.trigger)}</section>
${table(
  `Requests merged into this run while it waited (${run.coalescedCount})`,
  ["#", "Trigger", "Details"],
  run.coalescedTriggers.map(
    (t, i) =>
      html`<tr><th scope="row">${i + 1}</th><td>${triggerSummary(t)}</td><td class="mono small">${plain(t)}</td></tr>`,
  ),
)}
${table(`Plan (${plan.length} actions)`, ["Action", "Kind", "What", "After"], plan.map(planRow))}
${table(`Outcomes (${outcomes.length})`, ["Action", "Status", "Attempts", "Duration", "ARM request id", "Error", "Remedy"], outcomes.map(outcomeRow))}
${table(`Attempts (${run.attempts.length})`, ["#", "Worker", "Started", "Finished", "Status", "Error"], run.attempts.map(attemptRow))}
${table(
  `ARM writes, as journaled (${run.writes.length})`,
  ["Action", "Principal", "Role", "Scope", "ARM request id", "Client request id", "Time", "Attempt", "Status"],
  run.writes.map(writeRow),
)}
${table(
  `Deliveries of this run's message after it finished, acknowledged without running again (${run.duplicateDeliveries.length})`,
  ["Received", "Delivery", "Run was"],
  run.duplicateDeliveries.map(
    (d) =>
      html`<tr><td>${time(d.receivedAt)}</td><td>${d.dequeueCount}</td><td>${runStatusBadge(d.runStatus)}</td></tr>`,
  ),
)}
${table(`Servers as this run left them (${servers.length})`, ["Server", "State", "Principal", "Switched by this run"], servers.map(serverRow))}
${run.warnings.length > 0 ? html`<section><h2>Warnings</h2><ul>${run.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>` : ""}
${run.followUps.length > 0 ? html`<section><h2>Follow-ups</h2><ul>${run.followUps.map((f) => html`<li>${f}</li>`)}</ul></section>` : ""}`;
  return layout(
    {
      ...frame,
      title: `Run ${run.runId.slice(-22)}`,
      trail: [{ label: service, href: serviceHref }, { label: "Run" }],
      refreshSeconds: pending ? 3 : undefined,
    },
    body,
  );
}
