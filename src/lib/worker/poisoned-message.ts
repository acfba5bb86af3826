import type { AppLog } from "../ports/log";
import { parseReconcileMessage } from "../queue/messages";
import { finishFailedRun, getRun, isFinalRunStatus, recordRunFailure } from "../store";
import type { WorkerDeps } from "./reconcile-worker";
import { trackRunFailure } from "../telemetry/track";

/**
 * A message the queue moved to `<queue>-poison`
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages).
 * The worker marks a run poisoned itself when its last attempt fails; but
 * when every delivery ended without an answer (the host killed, or paused
 * past the message's visibility, mid-run), the host moves the message aside
 * without a last attempt, and the run would stay "running" for ever. Such a
 * run is recorded poisoned here, with the service, as a last attempt would.
 */
export async function handlePoisonedMessage(
  deps: Pick<WorkerDeps, "tables" | "now" | "maxDequeueCount" | "telemetry">,
  raw: unknown,
  log: AppLog,
): Promise<"recorded" | "alreadyOver" | "unreadable"> {
  const parsed = parseReconcileMessage(raw);
  // An unreadable message is recorded as rejected by the worker and acknowledged: it never gets here by that way.
  if (!parsed.ok) {
    log.error(`poisoned reconcile message is not a reconcile request: ${parsed.error}`);
    return "unreadable";
  }
  const request = parsed.request;
  const run = await getRun(deps.tables.runs, request.runId);
  if (run && isFinalRunStatus(run.status)) {
    log.info(`${request.serviceId}: poisoned message of run ${request.runId}, which is already ${run.status}`);
    return "alreadyOver";
  }
  const now = deps.now();
  const message = `the queue moved the run's message aside after ${deps.maxDequeueCount} deliveries that ended without an answer (its worker was stopped or killed mid-run each time)`;
  const startedAt = run?.startedAt ? new Date(run.startedAt) : now;
  await finishFailedRun(deps.tables.runs, request.runId, {
    status: "poisoned",
    startedAt,
    finishedAt: now,
    error: message,
    errorCode: "PoisonMessage",
  });
  if (!request.dryRun) {
    await recordRunFailure(
      deps.tables.services,
      request.serviceId,
      { runId: request.runId, status: "poisoned", message, attempts: deps.maxDequeueCount },
      now,
    );
  }
  log.error(`${request.serviceId}: run ${request.runId} poisoned: ${message}`);
  // The same events a failed last attempt sends, so the run-failed alert fires for it too.
  await trackRunFailure(deps.telemetry, {
    request,
    attempt: deps.maxDequeueCount,
    status: "poisoned",
    startedAt,
    finishedAt: now,
    errorCode: "PoisonMessage",
    error: message,
  });
  return "recorded";
}
