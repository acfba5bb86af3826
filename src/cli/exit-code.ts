import type { ReconcileReport } from "../lib/reconcile";

/** 130: stopped by Ctrl-C (128 + SIGINT, the shell's convention). */
export const EXIT = { converged: 0, error: 1, incomplete: 2, interrupted: 130 } as const;

/**
 * 0 when converged; 2 when some server could not be brought over (a failed or
 * skipped action, a Failed, AgentTooOld or AgentExpired server) or, for a plan, when
 * actions are pending.
 */
export function exitCodeOf(report: ReconcileReport): number {
  const blocked = report.servers.some(
    (v) => v.state === "Failed" || v.state === "AgentTooOld" || v.state === "AgentExpired",
  );
  if (!report.converged || blocked) return EXIT.incomplete;
  return EXIT.converged;
}
