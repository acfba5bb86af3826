import { sameGuid } from "../azure";
import type { RegisteredServerSnapshot } from "../ports/engine-port";
import type { ServerRecord } from "../store";

export type ActivationVerdict =
  { state: "Active"; reason: string } | { state: "ActivationOverdue"; reason: string; remedy: string };

const OVERDUE_REMEDY =
  "Check that the server's Arc agent is connected (azcmagent show) or the VM's system-assigned identity is on, " +
  "that the File Sync agent is at least MIN_AGENT_VERSION (GA: 20.0.0.0) and can reach Azure; the app re-runs the reconcile once by itself — " +
  "if the server stays on its certificate, POST /api/reconcile for the service after fixing the machine.";

/**
 * A switched server whose window passed, read again: using the expected
 * identity → Active; anything else → overdue, with what to do. Pure.
 */
export function evaluateActivation(
  record: ServerRecord,
  observed: RegisteredServerSnapshot,
  windowMs: number,
): ActivationVerdict {
  const expected = record.principalId;
  const mode = observed.activeAuthType ?? "unknown";
  const minutes = Math.round(windowMs / 60_000);
  if (mode.toLowerCase() === "managedidentity") {
    if (!expected || sameGuid(observed.applicationId, expected)) {
      return { state: "Active", reason: `uses its managed identity ${observed.applicationId ?? ""}`.trim() };
    }
    return {
      state: "ActivationOverdue",
      reason: `uses managed identity ${observed.applicationId ?? "(none)"} instead of ${expected} ${minutes} min after the switch`,
      remedy:
        "The machine's identity changed (Arc reconnect or --reset-identity): the re-run grants and switches the new identity.",
    };
  }
  return {
    state: "ActivationOverdue",
    reason: `still authenticates with its certificate (activeAuthType ${mode}) ${minutes} min after the switch`,
    remedy: OVERDUE_REMEDY,
  };
}
