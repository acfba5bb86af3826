import type { Caller } from "./caller";
import type { Check, CheckStatus } from "./check";

/** The doctor's JSON report (`--json`, `--report FILE`). Extend it; do not rename. */
export interface DoctorReport {
  command: "doctor";
  generatedAt: string;
  target: { serviceId: string } | { subscriptionId: string };
  app?: string;
  caller: Caller;
  checks: Check[];
  summary: Record<CheckStatus, number>;
  /** 0 ready, 2 problems, 1 the doctor could not finish. */
  exitCode: number;
  /** True when GUIDs and names were replaced (--report without --no-redact). */
  redacted: boolean;
}

export const DOCTOR_EXIT = { ready: 0, error: 1, problems: 2 } as const;

export function summaryOf(checks: Check[]): Record<CheckStatus, number> {
  const summary: Record<CheckStatus, number> = { ok: 0, warning: 0, problem: 0 };
  for (const c of checks) summary[c.status]++;
  return summary;
}

export function doctorExitCode(checks: Check[], incomplete: boolean): number {
  if (incomplete) return DOCTOR_EXIT.error;
  return checks.some((c) => c.status === "problem") ? DOCTOR_EXIT.problems : DOCTOR_EXIT.ready;
}
