import { resourceName, resourcePlace, time } from "./format";
import { html, type Html } from "./html";
import { serviceStateLine } from "./service-state";
import { layout, rerunForms, runStatusBadge, stateBadge, type PageFrame } from "./layout";
import { SERVER_STATES } from "../store";
import { tilesOf } from "./tiles";
import type { ServerView, ServiceDetailView } from "./view-types";

/** What a server waits for or when it got there, beside its reason. */
function when(server: ServerView): Html | string {
  switch (server.state) {
    case "Switched":
      return html`window ends ${time(server.activationDueAt)}`;
    case "ActivationOverdue":
      return html`window ended ${time(server.activationDueAt ?? server.overdueAt)}`;
    case "Active":
      return server.activeAt ? html`since ${time(server.activeAt)}` : "";
    default:
      return "";
  }
}

function serverRow(frame: Omit<PageFrame, "title">, server: ServerView): Html {
  const w = when(server);
  return html`<tr id="server-${server.serverId}">
<th scope="row"><a href="${frame.links.server(server.serviceId, server.serverId)}">${server.name}</a></th>
<td>${stateBadge(server.state)}</td>
<td>${server.reason}${w ? html`<br><span class="when">${w}</span>` : ""}</td>
<td>${server.remedy ?? "—"}</td>
<td class="mono">${server.principalId ?? "—"}</td>
<td>${server.agentVersion ?? "—"}</td>
<td>${time(server.lastCheckedAt)}</td>
</tr>`;
}

/** GET /api/page/service?id=…: every server of one service and its run history. */
export function servicePage(frame: Omit<PageFrame, "title" | "trail">, detail: ServiceDetailView): Html {
  const { service, servers, recentRuns } = detail;
  const name = resourceName(service.serviceId);
  const tiles = tilesOf(servers);
  const body = html`<h1>${name}</h1>
<p class="place">${resourcePlace(service.serviceId)}</p>
<p class="mono small">${service.serviceId}</p>
${serviceStateLine(service)}
<div class="tiles">
<div class="tile"><p class="tile-label">Ready to use Managed ID</p><p class="tile-value">${tiles.ready}<span class="tile-of"> of ${tiles.total}</span></p></div>
<div class="tile"><p class="tile-label">Using Managed ID</p><p class="tile-value">${tiles.using}<span class="tile-of"> of ${tiles.total}</span></p></div>
</div>
<dl class="facts">
<dt>Service identity</dt><dd>${service.identityType ?? "—"}${service.principalId ? html` <span class="mono">${service.principalId}</span>` : ""}</dd>
<dt>useIdentity</dt><dd>${service.useIdentity === undefined ? "—" : service.useIdentity ? "true" : "false"}</dd>
<dt>Servers by state</dt><dd>${SERVER_STATES.filter((s) => (service.counts[s] ?? 0) > 0).map((s) => html`${stateBadge(s)} ${service.counts[s] ?? 0} `)}</dd>
${service.lastError ? html`<dt>Last error</dt><dd class="error-text">${service.lastError}</dd>` : ""}
${service.poisonedAt ? html`<dt>Poisoned</dt><dd class="error-text">${time(service.poisonedAt)}: ${service.poisonReason ?? ""}</dd>` : ""}
</dl>
${service.warnings.length > 0 ? html`<section><h2>Warnings</h2><ul>${service.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>` : ""}
${service.deletedAt ? "" : rerunForms(frame.links, service.serviceId, name)}
<table class="servers">
<caption>Registered servers of ${name} (${servers.length})</caption>
<thead><tr><th scope="col">Server</th><th scope="col">State</th><th scope="col">Reason</th><th scope="col">Remedy</th><th scope="col">Principal</th><th scope="col">Agent</th><th scope="col">Last checked</th></tr></thead>
<tbody>
${servers.map((s) => serverRow(frame, s))}
</tbody>
</table>
<table class="runs">
<caption>Recent runs of ${name} (newest first)</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Queued</th><th scope="col">Finished</th></tr></thead>
<tbody>
${recentRuns.map(
  (r) =>
    html`<tr><th scope="row"><a href="${frame.links.run(r.runId)}" class="mono">${r.runId.slice(-22)}</a>${r.dryRun ? " (dry run)" : ""}</th><td>${runStatusBadge(r.status)}</td><td>${r.triggerKind ?? "—"}</td><td>${time(r.queuedAt)}</td><td>${time(r.finishedAt)}</td></tr>`,
)}
</tbody>
</table>
${recentRuns.length === 0 ? html`<p>No runs recorded.</p>` : ""}`;
  return layout({ ...frame, title: name, trail: [{ label: name }] }, body);
}

/** GET /api/page/server?service=…&id=…: everything the status row says about one server. */
export function serverPage(frame: Omit<PageFrame, "title" | "trail">, serviceHref: string, server: ServerView): Html {
  const service = resourceName(server.serviceId);
  const fact = (label: string, value: Html | string | number | undefined) =>
    html`<dt>${label}</dt><dd>${value === undefined || value === "" ? "—" : value}</dd>`;
  const body = html`<h1>${server.name}</h1>
<p>${stateBadge(server.state)} ${server.reason}</p>
${server.remedy ? html`<p class="remedy"><strong>Remedy:</strong> ${server.remedy}</p>` : ""}
<dl class="facts">
${fact("Server id", html`<span class="mono">${server.serverId}</span>`)}
${fact("Resource id", html`<span class="mono">${server.resourceId}</span>`)}
${fact("Role", server.serverRole)}
${fact("Agent version", server.agentVersion)}
${fact("Principal (managed identity)", server.principalId ? html`<span class="mono">${server.principalId}</span>` : undefined)}
${fact("Authenticates with", server.activeAuthType)}
${fact("Eligible since", time(server.eligibleAt))}
${fact("Switched", time(server.switchedAt))}
${fact("Activation window ends", time(server.activationDueAt))}
${fact("Active since", time(server.activeAt))}
${fact("Overdue since", time(server.overdueAt))}
${fact("Switch attempts", server.switchAttempts)}
${fact("Automatic re-runs", server.autoReruns)}
${fact("Last checked", time(server.lastCheckedAt))}
${fact("Last run", server.lastRunId ? html`<a href="${frame.links.run(server.lastRunId)}" class="mono">${server.lastRunId}</a>` : undefined)}
${server.errorCode ? fact("Error", html`<span class="error-text">${server.errorCode}${server.errorStatusCode ? ` (HTTP ${server.errorStatusCode})` : ""}: ${server.errorMessage ?? ""}</span>`) : ""}
${server.errorRequestId ? fact("ARM request id", html`<span class="mono">${server.errorRequestId}</span>`) : ""}
</dl>`;
  return layout(
    {
      ...frame,
      title: `${server.name} · ${service}`,
      trail: [{ label: service, href: serviceHref }, { label: server.name }],
    },
    body,
  );
}
