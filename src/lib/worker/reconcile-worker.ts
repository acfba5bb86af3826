import type { Config } from "../config";
import type { EnginePort } from "../ports/engine-port";
import type { ReconcileQueue } from "../queue/reconcile-queue";
import type { StatusTables } from "../tables/clients";
import { isWithinScopes } from "../azure/resource-id";
import { parseReconcileMessage, type ReconcileRequest } from "../queue/messages";
import { takeMergedTriggers, takePending } from "../status/pending-marker";
import { acquireLease, releaseLease, renewLease } from "../status/lease";
import { LeaseFence } from "./lease-fence";
import { recordReconcileResult, type RecordedReconcile } from "../status/record-reconcile";
import { getRun, recordCoalescedTriggers, recordDuplicateDelivery, recordRejectedMessage, recordRunFinished, recordRunStarted } from "../status/run-records";
import { isFinalRunStatus, type AttemptEnd } from "../status/run-attempts";
import { resolveIntent, tableWriteJournal, unresolvedIntents } from "../status/write-journal";
import type { RunRecord, RunServerSummary, RunStatus } from "../status/rows";
import { updateService } from "../status/service-records";
import type { ReconcileReport } from "../reconcile/report";
import { requestReconcile, type SchedulerDeps } from "../scheduling/schedule";
import { decideNextLooks, engineHintsOf } from "./requeue";
import { handleAbsentService } from "./absent-service";
import type { AppLog } from "../ports/log";
import type { Telemetry } from "../telemetry/telemetry";
import { trackReconciled, trackRunFailure } from "../telemetry/track";

/** What the reconcile worker needs. */
export interface WorkerDeps {
  config: Pick<
    Config,
    "managedScopes" | "leaseDurationMs" | "reconcileCoalesceDelayMs" | "activationWindowMs" | "discoveryRecheckDelaysMs" | "minAgentVersion"
  >;
  tables: StatusTables;
  queue: Pick<ReconcileQueue, "send">;
  engine: Pick<EnginePort, "reconcile" | "isTransient" | "errorInfo" | "isAbsent" | "serviceAbsence" | "writeTookEffect">;
  scheduler: SchedulerDeps;
  telemetry: Telemetry;
  now(): Date;
  /** Names this worker process in leases and run records. */
  workerId: string;
  /** host.json's maxDequeueCount: the attempt that reaches it is the last. */
  maxDequeueCount: number;
}

export type WorkerOutcome =
  | { outcome: "reconciled"; runId: string; status: RunStatus; report: ReconcileReport }
  | { outcome: "deferred"; runId: string; heldBy: string }
  | { outcome: "duplicate"; runId: string; status: RunStatus }
  | { outcome: "rejected"; error: string }
  | { outcome: "leaseLost"; runId: string; error: string }
  | { outcome: "failed"; runId: string; error: string };

export interface DeliveryInfo {
  /** The host's dequeue count of this delivery (1 on the first). */
  dequeueCount: number;
}

/** Thrown for failures worth retrying; the queue delivers the message again. */
class TransientReconcileError extends Error {
  constructor(
    message: string,
    public readonly lastAttempt: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TransientReconcileError";
  }
}

/**
 * One queue message → at most one reconcile. Invalid messages are recorded and
 * acknowledged; a service whose lease is held gets its request back on the
 * queue later; terminal ARM errors (403, 404, 400) are recorded and
 * acknowledged; transient ones throw so the host retries, and the last attempt
 * marks the service as poisoned before the host moves the message aside.
 */
export async function handleReconcileMessage(deps: WorkerDeps, raw: unknown, delivery: DeliveryInfo, log: AppLog): Promise<WorkerOutcome> {
  const parsed = parseReconcileMessage(raw);
  if (!parsed.ok) {
    log.error(`reconcile message rejected: ${parsed.error}`);
    await recordRejectedMessage(deps.tables.runs, raw, parsed.error, deps.now());
    return { outcome: "rejected", error: parsed.error };
  }
  const request = parsed.request;
  if (!isWithinScopes(request.serviceId, deps.config.managedScopes)) {
    const error = `${request.serviceId} is outside MANAGED_SCOPES (${deps.config.managedScopes.join(", ")})`;
    log.error(`reconcile message rejected: ${error}`);
    await recordRejectedMessage(deps.tables.runs, raw, error, deps.now());
    return { outcome: "rejected", error };
  }

  // A redelivered message of a run that is over (the queue delivers at least once): acknowledged, the run untouched.
  const finished = await finishedRun(deps, request.runId);
  if (finished) return await acknowledgeDuplicate(deps, finished, delivery, log);

  // Ends in the run id: the status API tells a live run from an abandoned one by it.
  const owner = `${deps.workerId}/${request.runId}`;
  const lease = await acquireLease(deps.tables.leases, request.serviceId, owner, deps.config.leaseDurationMs, deps.now());
  if (!lease.acquired) {
    // Someone is reconciling this service right now: ask again after a while rather than fail.
    const delayMs = Math.max(1000, Math.min(deps.config.reconcileCoalesceDelayMs, lease.expiresAt.getTime() - deps.now().getTime()));
    await deps.queue.send(request, delayMs);
    log.info(`${request.serviceId}: lease held by ${lease.heldBy}; run ${request.runId} re-queued in ${delayMs} ms`);
    return { outcome: "deferred", runId: request.runId, heldBy: lease.heldBy };
  }
  if (lease.replaced) log.error(`${request.serviceId}: ${lease.replaced}`);
  // Renewed while the run lasts, so a slow run (throttling, PrincipalNotFound back-off) keeps the
  // service to itself and the status API does not take it for abandoned. The fence stops the run
  // before its next write once a renewal finds the lease taken, or it runs out by this clock.
  const fence = new LeaseFence(lease.lease, deps.config.leaseDurationMs, deps.now);
  let renewing: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(
    () => {
      renewing = renewLease(deps.tables.leases, fence.lease, deps.config.leaseDurationMs, deps.now()).then(
        (renewed) => {
          if (renewed) fence.renewed(renewed);
          else {
            fence.lost("a renewal found it expired and taken over, or gone");
            log.warn(`${request.serviceId}: the lease of run ${request.runId} was lost (expired and taken over)`);
          }
        },
        (error: unknown) => log.warn(`could not renew the lease of ${request.serviceId}`, error),
      );
    },
    Math.max(500, Math.floor(deps.config.leaseDurationMs / 3)),
  );
  try {
    return await runUnderLease(deps, request, delivery, fence, log);
  } finally {
    clearInterval(heartbeat);
    await renewing; // releasing with the ETag of a renewal still in flight would leave the lease held
    await releaseLease(deps.tables.leases, fence.lease).catch((error: unknown) => log.warn(`could not release the lease of ${request.serviceId}`, error));
  }
}

async function finishedRun(deps: WorkerDeps, runId: string): Promise<RunRecord | undefined> {
  const run = await getRun(deps.tables.runs, runId);
  return run && isFinalRunStatus(run.status) ? run : undefined;
}

async function acknowledgeDuplicate(deps: WorkerDeps, run: RunRecord, delivery: DeliveryInfo, log: AppLog): Promise<WorkerOutcome> {
  await recordDuplicateDelivery(deps.tables.runs, run, delivery.dequeueCount, deps.now());
  log.warn(`${run.serviceId}: run ${run.runId} is already ${run.status}; duplicate delivery acknowledged and recorded`);
  return { outcome: "duplicate", runId: run.runId, status: run.status };
}

async function runUnderLease(deps: WorkerDeps, request: ReconcileRequest, delivery: DeliveryInfo, fence: LeaseFence, log: AppLog): Promise<WorkerOutcome> {
  const startedAt = deps.now();
  const merged = request.dryRun ? { mergedTriggers: [], mergedCount: 0 } : await takePending(deps.tables.pending, request.serviceId, request.runId);
  const started = {
    serviceId: request.serviceId,
    dryRun: request.dryRun,
    trigger: request.trigger,
    queuedAt: request.requestedAt,
    startedAt,
    attempt: delivery.dequeueCount,
    worker: deps.workerId,
    coalescedTriggers: merged.mergedTriggers,
  };
  if ((await recordRunStarted(deps.tables.runs, request.runId, started)) === "finished") {
    // Finished between our first look and the lease (another delivery of the same message).
    const run = await finishedRun(deps, request.runId);
    if (run) return await acknowledgeDuplicate(deps, run, delivery, log);
  }

  let report: ReconcileReport;
  try {
    if (!request.dryRun) await resolveInterruptedWrites(deps, request, delivery, fence, log);
    const journal = tableWriteJournal(
      deps.tables.writes,
      { serviceId: request.serviceId, runId: request.runId, attempt: delivery.dequeueCount, leaseGeneration: fence.generation },
      deps.now,
      () => fence.check(),
    );
    report = await deps.engine.reconcile(request.serviceId, { dryRun: request.dryRun, hints: engineHintsOf(request), journal });
  } catch (error) {
    if (fence.problem()) return await recordLeaseLost(deps, request, startedAt, fence, log);
    return await recordFailure(deps, request, delivery, startedAt, error, log);
  }
  // Whatever the engine did not write after the lease was lost, its results are not this worker's to record.
  if (fence.problem()) return await recordLeaseLost(deps, request, startedAt, fence, log);

  // Triggers merged in the moment between our taking the marker and the run starting: still this run's.
  if (!request.dryRun) {
    const late = await takeMergedTriggers(deps.tables.pending, request.serviceId, request.runId);
    if (late.length > 0) await recordCoalescedTriggers(deps.tables.runs, request.runId, [...merged.mergedTriggers, ...late]);
  }
  const failed = report.outcomes.some((o) => o.status === "failed");
  const status: AttemptEnd = request.dryRun ? "dryRun" : failed ? "completedWithFailures" : "succeeded";
  const followUps: string[] = [];
  const warnings = [...report.warnings];
  let recorded: RecordedReconcile | undefined;
  if (!request.dryRun) {
    recorded = await recordReconcileResult(deps.tables, {
      report,
      runId: request.runId,
      runStatus: status,
      now: deps.now(),
      activationWindowMs: deps.config.activationWindowMs,
    });
    for (const due of recorded.dueEntries) followUps.push(`activation check of ${due.serverId} at ${due.dueAt}`);
    const looks = decideNextLooks(
      request,
      report,
      { serverIds: recorded.previousServerIds },
      {
        recheckDelaysMs: deps.config.discoveryRecheckDelaysMs,
        minAgentVersion: deps.config.minAgentVersion,
      },
    );
    for (const look of looks) {
      if (look.kind === "note") (look.gaveUp ? warnings : followUps).push(look.text);
      else followUps.push(look.describe((await requestReconcile(deps.scheduler, look.ask, deps.now(), log)).runId));
    }
  }
  const finishedAt = deps.now();
  await recordRunFinished(deps.tables.runs, request.runId, {
    status,
    startedAt,
    finishedAt,
    plan: report.plan,
    outcomes: report.outcomes,
    servers: report.servers.map((s): RunServerSummary => ({
      serverId: s.serverId,
      name: s.name,
      state: s.state,
      principalId: s.principalId,
      switchedThisRun: s.switchedThisRun,
    })),
    armReads: report.armCalls.reads,
    armWrites: report.armCalls.writes,
    converged: report.converged,
    warnings,
    followUps,
  });
  log.info(
    `${request.serviceId}: run ${request.runId} ${status} (${report.plan.length} actions, ${report.armCalls.reads} reads, ${report.armCalls.writes} writes)`,
  );
  await trackReconciled(deps.telemetry, { request, attempt: delivery.dequeueCount, status, report, startedAt, finishedAt, recorded });
  return { outcome: "reconciled", runId: request.runId, status, report };
}

/**
 * Writes an earlier attempt announced but never completed (it was killed
 * between the intent and the answer): resolved under the lease, before this
 * run writes anything, by reading ARM. One table query when there are none.
 * Only intents of an older lease generation are resolved, each as it was
 * read: the holder that wrote one and completes it meanwhile wins.
 */
async function resolveInterruptedWrites(deps: WorkerDeps, request: ReconcileRequest, delivery: DeliveryInfo, fence: LeaseFence, log: AppLog): Promise<void> {
  const open = await unresolvedIntents(deps.tables.writes, request.serviceId);
  for (const write of open) {
    if ((write.leaseGeneration ?? 0) >= fence.generation) {
      log.warn(
        `${request.serviceId}: open intent ${write.clientRequestId} carries lease generation ${write.leaseGeneration}, not older than this run's ${fence.generation}; left open`,
      );
      continue;
    }
    const applied = await deps.engine.writeTookEffect(write);
    fence.check();
    const status = applied ? "applied" : "notApplied";
    const resolved = await resolveIntent(deps.tables.writes, write, {
      status,
      resolvedBy: `${request.runId}#${delivery.dequeueCount}`,
      generation: fence.generation,
      finishedAt: deps.now(),
    });
    log.info(
      resolved
        ? `${request.serviceId}: interrupted ${write.kind} of run ${write.runId} (attempt ${write.attempt}) resolved as ${status}`
        : `${request.serviceId}: interrupted ${write.kind} of run ${write.runId} (attempt ${write.attempt}) was completed by its writer meanwhile`,
    );
  }
}

/**
 * The attempt's worker lost the service's lease: the attempt is recorded as
 * leaseLost (the run waits as retrying), and the run is queued again to go on
 * under a lease of its own. Nothing else this attempt saw is recorded: another
 * worker may have reconciled the service since.
 */
async function recordLeaseLost(deps: WorkerDeps, request: ReconcileRequest, startedAt: Date, fence: LeaseFence, log: AppLog): Promise<WorkerOutcome> {
  const error = `the lease of ${request.serviceId} (generation ${fence.generation}) was lost: ${fence.problem() ?? "unknown"}; stopped before the next write`;
  await recordRunFinished(deps.tables.runs, request.runId, { status: "leaseLost", startedAt, finishedAt: deps.now(), error, errorCode: "LeaseLost" });
  const delayMs = Math.max(1000, deps.config.reconcileCoalesceDelayMs);
  await deps.queue.send(request, delayMs);
  log.warn(`${request.serviceId}: run ${request.runId} stopped: ${error}; queued again in ${delayMs} ms`);
  return { outcome: "leaseLost", runId: request.runId, error };
}

async function recordFailure(
  deps: WorkerDeps,
  request: ReconcileRequest,
  delivery: DeliveryInfo,
  startedAt: Date,
  error: unknown,
  log: AppLog,
): Promise<WorkerOutcome> {
  const info = deps.engine.errorInfo(error);
  const message = `${info.code}: ${info.message}`;
  const transient = deps.engine.isTransient(error);
  const lastAttempt = delivery.dequeueCount >= deps.maxDequeueCount;
  const status: AttemptEnd = !transient ? "failed" : lastAttempt ? "poisoned" : "retrying";
  const now = deps.now();
  await recordRunFinished(deps.tables.runs, request.runId, { status, startedAt, finishedAt: now, error: message, errorCode: info.code });
  const absent =
    !request.dryRun &&
    status === "failed" &&
    (await handleAbsentService(deps, { serviceId: request.serviceId, runId: request.runId, error, message, now }, log));
  if (!request.dryRun && status !== "retrying" && !absent) {
    await updateService(
      deps.tables.services,
      request.serviceId,
      (previous) => ({
        ...previous,
        lastRunId: request.runId,
        lastRunAt: now.toISOString(),
        lastRunStatus: status,
        lastError: message,
        ...(status === "poisoned"
          ? { poisonedAt: now.toISOString(), poisonedRunId: request.runId, poisonReason: `gave up after ${delivery.dequeueCount} attempts: ${message}` }
          : {}),
      }),
      now,
    );
  }
  await trackRunFailure(deps.telemetry, { request, attempt: delivery.dequeueCount, status, startedAt, finishedAt: now, errorCode: info.code, error: message });
  if (!transient) {
    log.error(`${request.serviceId}: run ${request.runId} failed and will not be retried: ${message}`);
    return { outcome: "failed", runId: request.runId, error: message };
  }
  log.warn(
    `${request.serviceId}: run ${request.runId} attempt ${delivery.dequeueCount} failed (${message})${lastAttempt ? "; moving to the poison queue" : "; will retry"}`,
  );
  throw new TransientReconcileError(`${request.serviceId}: ${message}`, lastAttempt, { cause: error });
}
