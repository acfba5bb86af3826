import { html, type Html } from "./html";

/** A timestamp as a <time> element: readable UTC text, machine-readable datetime. */
export function time(iso: string | undefined): Html | string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 19).replace("T", " ")} UTC</time>`;
}

export function duration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** The last segment of a resource id: what the portal shows as the name. */
export function resourceName(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

/** "subscription …/resource group …" of a resource id, for the line under a service's name. */
export function resourcePlace(id: string): string {
  const parts = id.split("/");
  const sub = parts[2] ?? "";
  const group = parts[4] ?? "";
  return `resource group ${group} · subscription ${sub}`;
}

/** A run's trigger in one line, e.g. "http by alice@contoso.com" or "event Microsoft.StorageSync/…/write". */
export function triggerSummary(trigger: Record<string, unknown> | undefined): string {
  if (!trigger) return "—";
  const kind = typeof trigger.kind === "string" ? trigger.kind : "unknown";
  const detail = (name: string): string | undefined =>
    typeof trigger[name] === "string" ? (trigger[name] as string) : undefined;
  switch (kind) {
    case "http":
      return `re-run by ${detail("caller") ?? "unknown caller"}${detail("claimedCaller") ? ` (claims to be ${detail("claimedCaller")}, unverified)` : ""}`;
    case "event":
      return `ARM event ${detail("operationName") ?? ""}${detail("caller") ? ` by ${detail("caller")}` : ""}`;
    case "timer":
      return `timer ${detail("timer") ?? ""}`;
    case "retry":
      return `retry of ${detail("previousRunId") ?? "a run"}`;
    case "discovery":
      return "identity discovery re-check";
    default:
      return kind;
  }
}

/** Any value of a loosely typed audit object as text (nested values as compact JSON). */
export function plain(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
