import { SERVER_STATES, isQuotaNearlyFull, quotaUsageText, quotasBySubscription } from "../../lib/store";
import type { ServerStatus, StatusView } from "./view";

/** "rg-filesync/sss-prod" from a Storage Sync Service id: what an administrator recognises. */
function shortName(serviceId: string): string {
  const parts = serviceId.split("/").filter(Boolean);
  const rg = parts.findIndex((p) => p.toLowerCase() === "resourcegroups");
  return rg >= 0 && parts.length > rg + 1 ? `${parts[rg + 1]}/${parts[parts.length - 1]}` : serviceId;
}

/** Left-aligned text, right-aligned numbers, two spaces between columns. */
function table(header: string[], rows: string[][], numeric: (column: number) => boolean): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function serverLine(s: ServerStatus, serviceNames: Map<string, string>): string[] {
  const lines = [
    `  ${s.name} (${serviceNames.get(s.serviceId.toLowerCase()) ?? shortName(s.serviceId)}): ${s.state}: ${s.reason}`,
  ];
  if (s.errorCode) lines.push(`    error: ${s.errorCode}${s.errorMessage ? `: ${s.errorMessage}` : ""}`);
  if (s.remedy) lines.push(`    remedy: ${s.remedy}`);
  return lines;
}

/** The terminal view: one row per service with counts by state, totals, then what needs someone. */
export function formatStatus(view: StatusView): string {
  const verdicts = new Map(view.verdicts.map((v) => [v.serviceId, v]));
  const names = new Map(view.services.map((s) => [s.serviceId.toLowerCase(), shortName(s.serviceId)]));
  const header = ["SERVICE", ...SERVER_STATES, "CONVERGED", "LAST RUN"];
  const rows = view.services.map((s) => [
    shortName(s.serviceId),
    ...SERVER_STATES.map((state) => String(s.counts[state] ?? 0)),
    s.deletedAt ? "deleted" : verdicts.get(s.serviceId)?.converged ? "yes" : "NO",
    s.lastRunStatus ? `${s.lastRunStatus} ${s.lastRunAt ?? ""}`.trim() : "-",
  ]);
  rows.push(["TOTAL", ...SERVER_STATES.map((state) => String(view.totals[state])), view.converged ? "yes" : "NO", ""]);
  const lines = [`Status from ${view.source}: ${view.services.length} service(s)`, ""];
  if (view.services.length === 0) {
    lines.push("No service recorded yet (has the app run? is this its storage account and table prefix?).");
  } else {
    lines.push(...table(header, rows, (i) => i > 0 && i <= SERVER_STATES.length));
  }
  const quotas = quotasBySubscription(
    view.services.filter((s) => !s.deletedAt).map((s) => s.roleAssignmentQuotas ?? []),
  );
  if (quotas.length > 0) {
    lines.push("", "Role assignments per subscription (Azure's limit; counted when a run last granted there):");
    for (const q of quotas) {
      const reclaim = q.orphaned > 0 ? `, ${q.orphaned} orphaned (${q.productStale} this product's stale grants)` : "";
      lines.push(`  ${q.subscriptionId}: ${quotaUsageText(q)}${reclaim}${isQuotaNearlyFull(q) ? "  NEARLY FULL" : ""}`);
    }
  }
  const unconverged = view.verdicts.filter((v) => !v.converged);
  if (unconverged.length > 0) {
    lines.push("", "Not converged:");
    for (const v of unconverged)
      lines.push(`  ${names.get(v.serviceId.toLowerCase()) ?? v.serviceId}: ${v.reasons.join("; ")}`);
  }
  if (view.attention.length > 0) {
    lines.push("", "Servers that need attention:");
    for (const s of [...view.attention].sort((a, b) => a.state.localeCompare(b.state) || a.name.localeCompare(b.name)))
      lines.push(...serverLine(s, names));
  }
  return lines.join("\n");
}
