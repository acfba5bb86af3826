import { CHECK_AREAS, type CheckArea, type CheckStatus } from "./check";
import type { DoctorReport } from "./report";

const AREA_TITLES: Record<CheckArea, string> = {
  who: "Who and where",
  rights: "Rights",
  providers: "Resource providers",
  limits: "The estate against Azure's limits",
  wiring: "Wiring of the deployed app",
  conformance: "Conformance of Azure's answers",
};

const MARK: Record<CheckStatus, string> = { ok: "[ok]     ", warning: "[warning]", problem: "[PROBLEM]" };

/** The checklist: one section per area, each line ok, warning or problem, with its detail and remedy. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const area of CHECK_AREAS) {
    const checks = report.checks.filter((c) => c.area === area);
    if (checks.length === 0) continue;
    lines.push(AREA_TITLES[area]);
    for (const c of checks) {
      lines.push(`  ${MARK[c.status]} ${c.title}`);
      if (c.detail) lines.push(`             ${c.detail}`);
      if (c.evidence?.requestId)
        lines.push(
          `             request id ${c.evidence.requestId}${c.evidence.path ? `, ${c.evidence.method ?? "GET"} ${c.evidence.path}` : ""}`,
        );
      if (c.remedy) lines.push(`             remedy: ${c.remedy}`);
    }
  }
  const { ok, warning, problem } = report.summary;
  const verdict =
    report.exitCode === 0
      ? "ready"
      : report.exitCode === 2
        ? "problems to fix before apply"
        : "the doctor could not finish";
  lines.push(`${ok} ok, ${warning} warning(s), ${problem} problem(s): ${verdict}`);
  return lines.join("\n");
}
