import { duration, plain, resourceName, time, triggerSummary } from "./format";
import { html, type Html } from "./html";
import { layout, runStatusBadge, stateBadge, type PageFrame } from "./layout";
import type { RunView } from "./view-types";

type Loose = Record<string, unknown>;

const str = (o: Loose, key: string): string => plain(o[key]);

/** Every field of a trigger (who, from where, which event) as a definition list. */
function triggerFacts(trigger: Loose): Html {
  return html`<dl class="facts">${Object.entries(trigger).map(([k, v]) => html`<dt>${k}</dt><dd>${plain(v)}</dd>`)}</dl>`;
}

function outcomeRow(o: Loose): Html {
  const error = o.error as Loose | undefined;
  return html`<tr>
<th scope="row" class="mono">${str(o, "actionId")}</th>
<td>${runStatusBadge(str(o, "status"))}</td>
<td>${str(o, "attempts")}</td>
<td>${duration(typeof o.durationMs === "number" ? o.durationMs : undefined)}</td>
<td class="mono">${str(o, "requestId") || (error ? plain(error.requestId) : "") || "—"}</td>
<td>${error ? html`<span class="error-text">${plain(error.code)}${error.statusCode ? ` (HTTP ${plain(error.statusCode)})` : ""}: ${plain(error.message)}</span>` : ""}${o.skippedBecause ? html`skipped: ${str(o, "skippedBecause")}` : ""}</td>
<td>${str(o, "remedy") || "—"}</td>
</tr>`;
}

/** GET /api/page/runs/{runId}: the audit trail of one run. */
export function runPage(frame: Omit<PageFrame, "title" | "trail" | "refreshSeconds">, run: RunView, serviceHref: string, notice?: string): Html {
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
<table>
<caption>Requests merged into this run while it waited (${run.coalescedCount})</caption>
<thead><tr><th scope="col">#</th><th scope="col">Trigger</th><th scope="col">Details</th></tr></thead>
<tbody>${run.coalescedTriggers.map((t, i) => html`<tr><th scope="row">${i + 1}</th><td>${triggerSummary(t)}</td><td class="mono small">${plain(t)}</td></tr>`)}</tbody>
</table>
<table>
<caption>Plan (${plan.length} actions)</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Kind</th><th scope="col">What</th><th scope="col">After</th></tr></thead>
<tbody>${plan.map((p) => html`<tr><th scope="row" class="mono">${str(p, "id")}</th><td>${str(p, "kind")}</td><td>${str(p, "description")}</td><td class="mono small">${Array.isArray(p.dependsOn) ? p.dependsOn.map(plain).join(", ") : ""}</td></tr>`)}</tbody>
</table>
<table>
<caption>Outcomes (${outcomes.length})</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Duration</th><th scope="col">ARM request id</th><th scope="col">Error</th><th scope="col">Remedy</th></tr></thead>
<tbody>${outcomes.map(outcomeRow)}</tbody>
</table>
<table>
<caption>Servers as this run left them (${servers.length})</caption>
<thead><tr><th scope="col">Server</th><th scope="col">State</th><th scope="col">Principal</th><th scope="col">Switched by this run</th></tr></thead>
<tbody>${servers.map((s) => html`<tr><th scope="row">${str(s, "name")}</th><td>${stateBadge(str(s, "state"))}</td><td class="mono">${str(s, "principalId") || "—"}</td><td>${s.switchedThisRun === true ? "yes" : "no"}</td></tr>`)}</tbody>
</table>
${run.warnings.length > 0 ? html`<section><h2>Warnings</h2><ul>${run.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>` : ""}
${run.followUps.length > 0 ? html`<section><h2>Follow-ups</h2><ul>${run.followUps.map((f) => html`<li>${f}</li>`)}</ul></section>` : ""}`;
  return layout({ ...frame, title: `Run ${run.runId.slice(-22)}`, trail: [{ label: service, href: serviceHref }, { label: "Run" }], refreshSeconds: pending ? 3 : undefined }, body);
}
