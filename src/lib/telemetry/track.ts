import type { ReconcileRequest } from "../queue/messages";
import type { ReconcileReport } from "../reconcile";
import type { RecordedReconcile, RunStatus, ServerRecord, StateCounts } from "../store";
import {
  activationCheckEvent,
  newlyFailed,
  poisonEvent,
  roleAssignmentQuotaEvent,
  runEvent,
  serverEvent,
  serviceCountsEvent,
  sweepEvent,
  type ServerTelemetry,
  type SweepTelemetry,
} from "./events";
import type { Telemetry } from "./telemetry";
import { isQuotaNearlyFull } from "../store";

/** What each entry point reports, built from its own results; each ends with a flush (see Telemetry). */

function serverTelemetry(record: ServerRecord): ServerTelemetry {
  return {
    serviceId: record.serviceId,
    serverId: record.serverId,
    name: record.name,
    resourceId: record.resourceId,
    reason: record.reason,
    remedy: record.remedy,
    errorCode: record.errorCode,
    runId: record.lastRunId,
  };
}

const elapsed = (from: Date, to: Date): number => Math.max(0, to.getTime() - from.getTime());

/** One attempt of a run, however it ended. */
interface RunAttempt {
  request: ReconcileRequest;
  attempt: number;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date;
}

/** What every run event says, whether the run reconciled or failed. */
function attemptFields(input: RunAttempt) {
  const { request } = input;
  return {
    serviceId: request.serviceId,
    runId: request.runId,
    status: input.status,
    trigger: request.trigger.kind,
    dryRun: request.dryRun,
    attempt: input.attempt,
    durationMs: elapsed(input.startedAt, input.finishedAt),
  };
}

export async function trackReconciled(
  telemetry: Telemetry,
  input: RunAttempt & { report: ReconcileReport; recorded?: RecordedReconcile },
): Promise<void> {
  const { request, report, recorded } = input;
  telemetry.emit(
    runEvent({
      ...attemptFields(input),
      armReads: report.armCalls.reads,
      armWrites: report.armCalls.writes,
      actions: report.plan.length,
      failedActions: report.outcomes.filter((o) => o.status === "failed").length,
      converged: report.converged,
    }),
  );
  for (const quota of (report.roleAssignmentQuotas ?? []).filter(isQuotaNearlyFull)) {
    telemetry.emit(roleAssignmentQuotaEvent({ serviceId: request.serviceId, runId: request.runId, ...quota }));
  }
  if (recorded) {
    telemetry.emit(serviceCountsEvent(request.serviceId, recorded.service.counts, "run", report.converged));
    for (const server of newlyFailed(recorded.servers, recorded.previousStates))
      telemetry.emit(serverEvent("failed", serverTelemetry(server)));
  }
  await telemetry.flush();
}

export async function trackRunFailure(
  telemetry: Telemetry,
  input: RunAttempt & { errorCode: string; error: string },
): Promise<void> {
  const { request } = input;
  telemetry.emit(runEvent({ ...attemptFields(input), errorCode: input.errorCode }));
  if (input.status === "poisoned")
    telemetry.emit(
      poisonEvent({ serviceId: request.serviceId, runId: request.runId, attempts: input.attempt, error: input.error }),
    );
  await telemetry.flush();
}

export async function trackActivationCheck(
  telemetry: Telemetry,
  input: {
    check: Readonly<Record<string, number>> & { armReads: number };
    startedAt: Date;
    finishedAt: Date;
    becameOverdue: ServerRecord[];
    serviceCounts: Map<string, StateCounts>;
  },
): Promise<void> {
  for (const server of input.becameOverdue) telemetry.emit(serverEvent("overdue", serverTelemetry(server)));
  for (const [serviceId, counts] of input.serviceCounts)
    telemetry.emit(serviceCountsEvent(serviceId, counts, "activationCheck"));
  telemetry.emit(activationCheckEvent({ ...input.check, durationMs: elapsed(input.startedAt, input.finishedAt) }));
  await telemetry.flush();
}

export async function trackSweep(
  telemetry: Telemetry,
  input: Omit<SweepTelemetry, "durationMs"> & { startedAt: Date; finishedAt: Date },
): Promise<void> {
  const { startedAt, finishedAt, ...sweep } = input;
  telemetry.emit(sweepEvent({ ...sweep, durationMs: elapsed(startedAt, finishedAt) }));
  await telemetry.flush();
}
