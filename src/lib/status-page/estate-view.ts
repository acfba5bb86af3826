import { isWithinScopes } from "../azure";
import { countByState, ESTATE_HISTORY_DAYS, SERVER_STATES, utcDay, type EstateDay, type EstateScope } from "../store";
import { resourceName, resourcePlace } from "./format";
import { html, type Html } from "./html";
import { chartedStates, stateChart } from "./state-chart";
import type { ServerView, ServiceView } from "./view-types";

/** A Storage Sync Service in scope without a status row, and why. */
export interface UnreconciledService {
  serviceId: string;
  reason: string;
}

export interface EstateFacts {
  managedScopes: readonly string[];
  scopes: readonly EstateScope[];
  days: readonly EstateDay[];
  now: Date;
}

/** Services the last sweep listed that have no status row yet, and scopes no sweep could list, with the reason. */
export function unreconciledServices(
  facts: EstateFacts,
  services: readonly ServiceView[],
): { services: UnreconciledService[]; scopes: UnreconciledService[] } {
  const known = new Set(services.map((s) => s.serviceId.toLowerCase()));
  const byScope = new Map(facts.scopes.map((s) => [s.scope.toLowerCase(), s]));
  const out: UnreconciledService[] = [];
  const scopes: UnreconciledService[] = [];
  const seen = new Set<string>();
  for (const scope of facts.managedScopes) {
    const listed = byScope.get(scope.toLowerCase());
    if (!listed) {
      scopes.push({
        serviceId: scope,
        reason: "no full sweep has listed this scope yet; the next one lists and reconciles every service in it",
      });
      continue;
    }
    if (listed.error)
      scopes.push({
        serviceId: scope,
        reason: `the sweep of ${listed.listedAt} could not list its services: ${listed.error}`,
      });
    for (const id of listed.serviceIds) {
      const key = id.toLowerCase();
      if (known.has(key) || seen.has(key) || !isWithinScopes(id, [...facts.managedScopes])) continue;
      seen.add(key);
      out.push({
        serviceId: id,
        reason: `listed by the sweep of ${listed.listedAt}; its first run has not recorded a status yet (queued, running, or failing before it could)`,
      });
    }
  }
  return { services: out.sort((a, b) => a.serviceId.localeCompare(b.serviceId)), scopes };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The estate section of the overview: totals, never-reconciled services, the 30-day chart and table (quota use is the
 * overview's own section).
 */
export function estateSection(
  facts: EstateFacts,
  services: readonly ServiceView[],
  servers: readonly ServerView[],
): Html {
  const missing = unreconciledServices(facts, services);
  const counts = countByState(servers);
  const lastDay = utcDay(facts.now);
  const firstDay = utcDay(new Date(facts.now.getTime() - (ESTATE_HISTORY_DAYS - 1) * 86_400_000));
  const states = chartedStates(facts.days);
  return html`<section class="estate" aria-labelledby="estate-heading">
<h2 id="estate-heading">Estate</h2>
<table class="estate-totals"><caption>Estate totals</caption><thead><tr><th scope="col">Services</th><th scope="col">Not reconciled yet</th><th scope="col">Servers</th>${SERVER_STATES.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead>
<tbody><tr><td>${services.length + missing.services.length}</td><td>${missing.services.length}</td><td>${servers.length}</td>${SERVER_STATES.map((s) => html`<td>${counts[s]}</td>`)}</tr></tbody></table>
${
  missing.services.length + missing.scopes.length > 0
    ? html`<section class="unreconciled" aria-labelledby="unreconciled-heading"><h3 id="unreconciled-heading">Not reconciled yet <span class="count">(${plural(missing.services.length, "service")}, ${plural(missing.scopes.length, "scope")})</span></h3>
<ul>${missing.scopes.map((s) => html`<li><span class="mono">${s.serviceId}</span> — ${s.reason}</li>`)}${missing.services.map((s) => html`<li><strong>${resourceName(s.serviceId)}</strong> <span class="place">${resourcePlace(s.serviceId)}</span> — ${s.reason}</li>`)}</ul></section>`
    : ""
}
<h3 id="history-heading">Servers by state, last ${ESTATE_HISTORY_DAYS} days</h3>
${
  facts.days.length === 0
    ? html`<p>No day recorded yet: each full sweep records the day's servers by state.</p>`
    : html`<figure class="history" aria-labelledby="history-heading">${stateChart(facts.days, firstDay, lastDay)}</figure>
<table class="history-table"><caption>Servers by state per day (the chart's numbers)</caption><thead><tr><th scope="col">Day (UTC)</th><th scope="col">Services</th>${states.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead>
<tbody>${facts.days.map((d) => html`<tr><th scope="row">${d.day}</th><td>${d.services}</td>${states.map((s) => html`<td>${d.counts[s] ?? 0}</td>`)}</tr>`)}</tbody></table>`
}
</section>`;
}
