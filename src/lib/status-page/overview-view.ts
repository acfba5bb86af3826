import { resourceName, resourcePlace, time } from "./format";
import { html, type Html, type HtmlValue } from "./html";
import { layout, rerunForms, runStatusBadge, type PageFrame } from "./layout";
import type { PageLinks } from "./links";
import { serviceStateLine } from "./service-state";
import { tilesOf } from "./tiles";
import type { ServerView, ServiceView } from "./view-types";
import { isQuotaNearlyFull, quotaUsageText, quotasBySubscription } from "../store";
import { estateSection, type EstateFacts } from "./estate-view";

/** At most this many servers per list on a card; the service page has them all. */
const CARD_LIST_LIMIT = 5;

function tile(label: string, value: number, of: number): Html {
  return html`<div class="tile"><p class="tile-label">${label}</p><p class="tile-value">${value}<span class="tile-of"> of ${of}</span></p></div>`;
}

function serverList(
  title: string,
  servers: readonly ServerView[],
  item: (s: ServerView) => HtmlValue,
  more: string,
  cls: string,
): Html | string {
  if (servers.length === 0) return "";
  const shown = servers.slice(0, CARD_LIST_LIMIT);
  return html`<section class="card-list ${cls}"><h3>${title} <span class="count">(${servers.length})</span></h3>
<ul>${shown.map((s) => html`<li><strong>${s.name}</strong> — ${item(s)}</li>`)}</ul>
${servers.length > shown.length ? html`<p class="more"><a href="${more}">${servers.length - shown.length} more on the service page</a></p>` : ""}</section>`;
}

function card(links: PageLinks, service: ServiceView, servers: readonly ServerView[], index: number): Html {
  const name = resourceName(service.serviceId);
  const tiles = tilesOf(servers);
  const serviceHref = links.service(service.serviceId);
  const inState = (...states: string[]) => servers.filter((s) => states.includes(s.state));
  const headingId = `service-${index + 1}`;
  return html`<article class="card" aria-labelledby="${headingId}">
<h2 id="${headingId}"><a href="${serviceHref}">${name}</a></h2>
<p class="place">${resourcePlace(service.serviceId)}</p>
${serviceStateLine(service)}
<div class="tiles">${tile("Ready to use Managed ID", tiles.ready, tiles.total)}${tile("Using Managed ID", tiles.using, tiles.total)}</div>
${service.poisonedAt ? html`<p class="alert" role="alert">A request for this service failed on every attempt (${time(service.poisonedAt)}): ${service.poisonReason ?? "see the run"}.</p>` : ""}
${serverList("Without an identity", inState("NoIdentity", "ClusterName"), (s) => s.reason, serviceHref, "l-noid")}
${serverList("Switched, waiting", inState("Switched"), (s) => html`window ends ${time(s.activationDueAt)}`, serviceHref, "l-switched")}
${serverList("Overdue", inState("ActivationOverdue"), (s) => html`still on its certificate; window ended ${time(s.activationDueAt ?? s.overdueAt)}`, serviceHref, "l-overdue")}
${serverList("Failed", inState("Failed"), (s) => s.remedy ?? s.reason, serviceHref, "l-failed")}
${serverList("Agent expired or blocked", inState("AgentExpired"), (s) => html`agent ${s.agentVersion ?? "unknown"}: ${s.reason} ${s.remedy ?? ""}`, serviceHref, "l-expired")}
${serverList("Agent too old", inState("AgentTooOld"), (s) => html`agent ${s.agentVersion ?? "unknown"}: ${s.remedy ?? s.reason}`, serviceHref, "l-old")}
<p class="last-run">Last run: ${service.lastRunId ? html`<a href="${links.run(service.lastRunId)}">${time(service.lastRunAt)}</a> ${service.lastRunStatus ? runStatusBadge(service.lastRunStatus) : ""}` : "none yet"}</p>
${service.deletedAt ? "" : rerunForms(links, service.serviceId, name)}
<p><a href="${serviceHref}">All ${servers.length} servers and the run history of ${name}</a></p>
</article>`;
}

/** Each subscription the runs granted in, with its role assignments against Azure's limit. */
function quotaSection(services: readonly ServiceView[]): Html | string {
  const quotas = quotasBySubscription(services.filter((s) => !s.deletedAt).map((s) => s.roleAssignmentQuotas ?? []));
  if (quotas.length === 0) return "";
  return html`<section class="quotas" aria-labelledby="quotas"><h2 id="quotas">Role assignments per subscription</h2>
<table><thead><tr><th scope="col">Subscription</th><th scope="col">Role assignments</th><th scope="col">Orphaned</th><th scope="col">This product's stale grants</th><th scope="col">Counted</th></tr></thead>
<tbody>${quotas.map(
    (q) =>
      html`<tr${isQuotaNearlyFull(q) ? html` class="alert"` : ""}><td>${q.subscriptionId}</td><td>${quotaUsageText(q)}</td><td>${q.orphaned}</td><td>${q.productStale}</td><td>${time(q.checkedAt)}</td></tr>`,
  )}</tbody></table></section>`;
}

/** GET /api/page: one card per service in scope. */
export function overviewPage(
  frame: Omit<PageFrame, "title">,
  services: readonly ServiceView[],
  serversByService: ReadonlyMap<string, readonly ServerView[]>,
  estate?: EstateFacts,
): Html {
  const sorted = [...services].sort((a, b) => resourceName(a.serviceId).localeCompare(resourceName(b.serviceId)));
  const body = html`<h1>Storage Sync Services</h1>
${estate ? estateSection(estate, services, [...serversByService.values()].flat()) : ""}
${sorted.length === 0 ? html`<p>No service has a status yet. A run records one; the next full sweep runs every service in scope.</p>` : ""}
<div class="cards">${sorted.map((s, i) => card(frame.links, s, serversByService.get(s.serviceId.toLowerCase()) ?? [], i))}</div>
${quotaSection(sorted)}`;
  return layout({ ...frame, title: "Storage Sync Services" }, body);
}
