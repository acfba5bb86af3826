import type { ReconcileRequest } from "../queue/messages";
import type { ReconcileReport } from "../reconcile";
import type { AttemptEnd, RecordedReconcile, RunStatus } from "../store";
import type { FollowUp } from "./requeue";

export type WorkerOutcome =
  | { outcome: "reconciled"; runId: string; status: RunStatus; report: ReconcileReport }
  | { outcome: "deferred"; runId: string; heldBy: string }
  | { outcome: "duplicate"; runId: string; status: RunStatus }
  | { outcome: "rejected"; error: string }
  | { outcome: "failed"; runId: string; error: string }
  | { outcome: "leaseLost"; runId: string; error: string }
  | { outcome: "awaitingWrites"; runId: string; error: string };

/**
 * How one delivery ends, as a value: controller-runtime's Result and error
 * in one. The worker decides it, and `settle` carries it out in one switch.
 */
export type Disposition =
  /**
   * Done: returning lets the host delete the message. A reconciled run first requests its follow-ups and closes its
   * record.
   */
  | { kind: "acknowledge"; outcome: WorkerOutcome; reconciled?: ReconciledRun }
  /**
   * The same request goes back on the queue after `delayMs` (another run holds the lease, this
   * attempt lost it and stopped, or an earlier write may still land); this delivery is acknowledged.
   */
  | {
      kind: "requeueAfter";
      outcome: Extract<WorkerOutcome, { outcome: "deferred" | "leaseLost" | "awaitingWrites" }>;
      request: ReconcileRequest;
      delayMs: number;
    }
  /**
   * A transient failure: thrown, so the host delivers the message again, or moves it to the poison queue after the last
   * attempt.
   */
  | { kind: "redeliver"; error: TransientReconcileError };

/** A run whose reconcile returned a report: what closing its record needs, bar the follow-ups' run ids. */
export interface ReconciledRun {
  request: ReconcileRequest;
  attempt: number;
  status: Extract<AttemptEnd, "dryRun" | "completedWithFailures" | "succeeded">;
  report: ReconcileReport;
  startedAt: Date;
  /** Undefined for a dry run, which writes no status rows. */
  recorded?: RecordedReconcile;
  /** The looks this run asks for (requeues) or notes, in the order the run record lists them. */
  followUps: FollowUp[];
  /** Lines known before the follow-ups are requested (activation checks due). */
  followUpLines: string[];
}

/** Thrown for failures worth retrying; the queue delivers the message again. */
export class TransientReconcileError extends Error {
  constructor(
    message: string,
    public readonly lastAttempt: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TransientReconcileError";
  }
}
