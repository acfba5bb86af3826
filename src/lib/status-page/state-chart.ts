import type { ServerState } from "../reconcile";
import { SERVER_STATES, type EstateDay } from "../store";
import { html, join, type Html } from "./html";

/**
 * Servers by state over the last days, as an inline SVG line chart drawn on
 * the server (no script; CSP style-src 'self' allows SVG presentation
 * attributes, which are not inline styles). Readable without colour: each
 * state has its own dash pattern and point marker, and its name is written
 * at the end of its line and in the legend. The same numbers are in the table
 * that follows it.
 */
const WIDTH = 720;
const HEIGHT = 260;
const PAD = { left: 48, right: 150, top: 12, bottom: 36 };

/** Per state: stroke colour (ink-dark, 3:1 on white or better), dash pattern, marker. */
const LOOK: Record<
  ServerState,
  {
    stroke: string;
    dash: string;
    marker: "circle" | "square" | "triangle" | "diamond" | "cross" | "bar" | "ring" | "star" | "box";
  }
> = {
  Active: { stroke: "#1a7f37", dash: "", marker: "circle" },
  Switched: { stroke: "#0a4f99", dash: "8 4", marker: "square" },
  Eligible: { stroke: "#6b4c00", dash: "2 3", marker: "triangle" },
  NoIdentity: { stroke: "#4a4a4a", dash: "12 4 2 4", marker: "ring" },
  ActivationOverdue: { stroke: "#9a3412", dash: "4 2", marker: "diamond" },
  Failed: { stroke: "#b3261e", dash: "1 2", marker: "cross" },
  AgentTooOld: { stroke: "#6d28d9", dash: "10 2 2 2 2 2", marker: "bar" },
  AgentExpired: { stroke: "#7c2d12", dash: "3 3 8 3", marker: "box" },
  ClusterName: { stroke: "#374151", dash: "6 6", marker: "star" },
};

function marker(kind: (typeof LOOK)[ServerState]["marker"], x: number, y: number, stroke: string): Html {
  const p = (n: number) => n.toFixed(1);
  switch (kind) {
    case "circle":
      return html`<circle cx="${p(x)}" cy="${p(y)}" r="3.5" fill="${stroke}"/>`;
    case "ring":
      return html`<circle cx="${p(x)}" cy="${p(y)}" r="3.5" fill="#ffffff" stroke="${stroke}" stroke-width="1.5"/>`;
    case "square":
      return html`<rect x="${p(x - 3)}" y="${p(y - 3)}" width="6" height="6" fill="${stroke}"/>`;
    case "triangle":
      return html`<polygon points="${p(x)},${p(y - 4)} ${p(x + 4)},${p(y + 3)} ${p(x - 4)},${p(y + 3)}" fill="${stroke}"/>`;
    case "diamond":
      return html`<polygon points="${p(x)},${p(y - 4)} ${p(x + 4)},${p(y)} ${p(x)},${p(y + 4)} ${p(x - 4)},${p(y)}" fill="${stroke}"/>`;
    case "cross":
      return html`<path d="M${p(x - 3)} ${p(y - 3)}L${p(x + 3)} ${p(y + 3)}M${p(x - 3)} ${p(y + 3)}L${p(x + 3)} ${p(y - 3)}" stroke="${stroke}" stroke-width="2"/>`;
    case "bar":
      return html`<rect x="${p(x - 1.5)}" y="${p(y - 4)}" width="3" height="8" fill="${stroke}"/>`;
    case "box":
      return html`<rect x="${p(x - 3)}" y="${p(y - 3)}" width="6" height="6" fill="#ffffff" stroke="${stroke}" stroke-width="1.5"/>`;
    case "star":
      return html`<path d="M${p(x - 4)} ${p(y)}H${p(x + 4)}M${p(x)} ${p(y - 4)}V${p(y + 4)}" stroke="${stroke}" stroke-width="2"/>`;
  }
}

/** The states that had any server in the period, in lifecycle order. */
export function chartedStates(days: readonly EstateDay[]): ServerState[] {
  return SERVER_STATES.filter((s) => days.some((d) => (d.counts[s] ?? 0) > 0));
}

/** A round axis maximum at or above the largest value. */
export function axisMax(value: number): number {
  if (value <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value / 5));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s * 5 >= value) ?? 10 * magnitude;
  return step * 5;
}

/** Label heights at the lines' ends, pushed apart so that no two overlap (lines often end on the same value). */
export function spreadLabels(ys: readonly number[], gap: number): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const out = [...ys];
  let previous = -Infinity;
  for (const { y, i } of order) {
    const placed = Math.max(y, previous + gap);
    out[i] = placed;
    previous = placed;
  }
  return out;
}

/** The chart for `days` (oldest first), x from `firstDay` to `lastDay` (YYYY-MM-DD, UTC). */
export function stateChart(days: readonly EstateDay[], firstDay: string, lastDay: string): Html {
  const states = chartedStates(days);
  const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
  const span = Math.max(1, (dayMs(lastDay) - dayMs(firstDay)) / 86_400_000);
  const top = axisMax(Math.max(0, ...days.flatMap((d) => states.map((s) => d.counts[s] ?? 0))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (day: string) => PAD.left + (((dayMs(day) - dayMs(firstDay)) / 86_400_000) * plotW) / span;
  const y = (n: number) => PAD.top + plotH - (n / top) * plotH;
  const ticks = [0, 1, 2, 3, 4, 5].map((i) => (top * i) / 5);
  const grid = ticks.map(
    (t) =>
      html`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#c8c8c8" stroke-width="1"/><text x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#1b1b1b">${t}</text>`,
  );
  const xLabels = [firstDay, lastDay].map(
    (d, i) =>
      html`<text x="${x(d).toFixed(1)}" y="${HEIGHT - 12}" text-anchor="${i === 0 ? "start" : "end"}" font-size="11" fill="#1b1b1b">${d}</text>`,
  );
  const lastDayPoint = days[days.length - 1];
  const labelYs = spreadLabels(
    states.map((s) => y(lastDayPoint?.counts[s] ?? 0)),
    13,
  );
  const lines = states.map((state, k) => {
    const look = LOOK[state];
    const points = days.map((d) => ({ px: x(d.day), py: y(d.counts[state] ?? 0) }));
    const last = points[points.length - 1];
    return html`<g class="series" data-state="${state}"><polyline points="${points.map((p) => `${p.px.toFixed(1)},${p.py.toFixed(1)}`).join(" ")}" fill="none" stroke="${look.stroke}" stroke-width="2"${look.dash ? html` stroke-dasharray="${look.dash}"` : ""}/>${points.map((p) => marker(look.marker, p.px, p.py, look.stroke))}${last ? html`<text x="${(last.px + 8).toFixed(1)}" y="${((labelYs[k] ?? last.py) + 4).toFixed(1)}" font-size="11" fill="#1b1b1b">${state} ${lastDayPoint?.counts[state] ?? 0}</text>` : ""}</g>`;
  });
  const title = `Servers by state, ${firstDay} to ${lastDay}`;
  return html`<svg class="state-chart" role="img" aria-labelledby="state-chart-title" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title id="state-chart-title">${title}</title>${join(grid)}<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#1b1b1b"/>${join(xLabels)}${join(lines)}</svg>
<ul class="legend">${states.map((s) => html`<li data-state="${s}"><svg width="44" height="12" aria-hidden="true"><line x1="2" x2="42" y1="6" y2="6" stroke="${LOOK[s].stroke}" stroke-width="2"${LOOK[s].dash ? html` stroke-dasharray="${LOOK[s].dash}"` : ""}/>${marker(LOOK[s].marker, 22, 6, LOOK[s].stroke)}</svg> ${s}</li>`)}</ul>`;
}
