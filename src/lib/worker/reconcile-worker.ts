import type { Config } from "../config";
import type { EnginePort } from "../ports/engine-port";
import type { ReconcileQueue } from "../queue/reconcile-queue";
import type { StoreTables } from "../tables/clients";
import { isWithinScopes } from "../azure";
import { parseReconcileMessage, type ReconcileRequest } from "../queue/messages";
import {
  finishedRun,
  startRun,
  addLateTriggers,
  finishReconciledRun,
  finishFailedRun,
  recordRejectedMessage,
  recordDuplicateDelivery,
  tableWriteJournal,
  resolveInterruptedWrites,
  recordReconcileResult,
  recordRunFailure,
  findMachineIdByPrincipal,
  type AttemptEnd,
  type RunRecord,
  type ResolutionOutcome,
  type StoredWrite,
} from "../store";
import type { ReconcileReport } from "../reconcile";
import { requestReconcile, type SchedulerDeps } from "../scheduling/schedule";
import { decideFollowUps, engineHintsOf } from "./requeue";
import { handleDeletedService } from "./deleted-service";
import { withLease, type LeaseHeld } from "./with-lease";
import type { LeaseFence } from "./lease-fence";
import { TransientReconcileError, type Disposition, type ReconciledRun, type WorkerOutcome } from "./disposition";
import type { AppLog } from "../ports/log";
import type { Telemetry } from "../telemetry/telemetry";
import { trackReconciled, trackRunFailure } from "../telemetry/track";

export type { WorkerOutcome } from "./disposition";

/** What the reconcile worker needs. */
export interface WorkerDeps {
  config: Pick<
    Config,
    | "managedScopes"
    | "leaseDurationMs"
    | "reconcileCoalesceDelayMs"
    | "activationWindowMs"
    | "discoveryRecheckDelaysMs"
    | "minAgentVersion"
  >;
  tables: StoreTables;
  queue: Pick<ReconcileQueue, "send">;
  engine: Pick<
    EnginePort,
    "reconcile" | "isTransient" | "errorInfo" | "isDeleted" | "serviceDeletion" | "writeTookEffect"
  >;
  scheduler: SchedulerDeps;
  telemetry: Telemetry;
  now(): Date;
  /** Names this worker process in leases and run records. */
  workerId: string;
  /** host.json's maxDequeueCount: the attempt that reaches it is the last. */
  maxDequeueCount: number;
}

/** How an attempt that ran to a report ends, and how one whose reconcile threw ends. */
type ReconciledStatus = Extract<AttemptEnd, "dryRun" | "completedWithFailures" | "succeeded">;
type FailedStatus = Extract<AttemptEnd, "failed" | "poisoned" | "retrying">;

export interface DeliveryInfo {
  /** The host's dequeue count of this delivery (1 on the first). */
  dequeueCount: number;
}

/**
 * One queue message → at most one reconcile, ended by one Disposition:
 * invalid messages and redelivered finished runs are recorded and
 * acknowledged; a service whose lease is held gets its request back on the
 * queue later; a run under the lease is acknowledged with its follow-ups,
 * or, after a transient failure, redelivered (the last attempt marks the
 * service as poisoned before the host moves the message aside).
 */
export async function handleReconcileMessage(
  deps: WorkerDeps,
  raw: unknown,
  delivery: DeliveryInfo,
  log: AppLog,
): Promise<WorkerOutcome> {
  const admitted = await admit(deps, raw, delivery, log);
  if ("disposition" in admitted) return await settle(deps, admitted.disposition, log);
  const request = admitted.request;
  // The owner ends in the run id: the status API tells a live run from an abandoned one by it.
  const lease = { serviceId: request.serviceId, owner: `${deps.workerId}/${request.runId}`, runId: request.runId };
  const leased = await withLease(
    deps,
    lease,
    log,
    async (fence) => await settle(deps, await runUnderLease(deps, request, delivery, fence, log), log),
  );
  return leased.acquired ? leased.result : await settle(deps, requeueWhileHeld(deps, request, leased), log);
}

/** Carries out a disposition: the one place a delivery ends. */
async function settle(deps: WorkerDeps, disposition: Disposition, log: AppLog): Promise<WorkerOutcome> {
  switch (disposition.kind) {
    case "acknowledge":
      if (disposition.reconciled) await closeReconciledRun(deps, disposition.reconciled, log);
      return disposition.outcome;
    case "requeueAfter": {
      const { request, delayMs, outcome } = disposition;
      await deps.queue.send(request, delayMs);
      if (outcome.outcome === "deferred")
        log.info(
          `${request.serviceId}: lease held by ${outcome.heldBy}; run ${request.runId} re-queued in ${delayMs} ms`,
        );
      else
        log.warn(`${request.serviceId}: run ${request.runId} stopped: ${outcome.error}; queued again in ${delayMs} ms`);
      return outcome;
    }
    case "redeliver":
      throw disposition.error;
  }
}

/** A valid request within MANAGED_SCOPES of a run not yet over, or how the message ends without a run. */
async function admit(
  deps: WorkerDeps,
  raw: unknown,
  delivery: DeliveryInfo,
  log: AppLog,
): Promise<{ request: ReconcileRequest } | { disposition: Disposition }> {
  const parsed = parseReconcileMessage(raw);
  if (!parsed.ok) return { disposition: await reject(deps, raw, parsed.error, log) };
  const request = parsed.request;
  if (!isWithinScopes(request.serviceId, deps.config.managedScopes)) {
    return {
      disposition: await reject(
        deps,
        raw,
        `${request.serviceId} is outside MANAGED_SCOPES (${deps.config.managedScopes.join(", ")})`,
        log,
      ),
    };
  }
  // A redelivered message of a run that is over (the queue delivers at least once): acknowledged, the run untouched.
  const finished = await finishedRun(deps.tables.runs, request.runId);
  if (finished) return { disposition: await acknowledgeDuplicate(deps, finished, delivery, log) };
  return { request };
}

async function reject(deps: WorkerDeps, raw: unknown, error: string, log: AppLog): Promise<Disposition> {
  log.error(`reconcile message rejected: ${error}`);
  await recordRejectedMessage(deps.tables.runs, raw, error, deps.now());
  return { kind: "acknowledge", outcome: { outcome: "rejected", error } };
}

/** Someone is reconciling this service right now: ask again after a while rather than fail. */
function requeueWhileHeld(deps: WorkerDeps, request: ReconcileRequest, held: LeaseHeld): Disposition {
  const delayMs = Math.max(
    1000,
    Math.min(deps.config.reconcileCoalesceDelayMs, held.expiresAt.getTime() - deps.now().getTime()),
  );
  return {
    kind: "requeueAfter",
    request,
    delayMs,
    outcome: { outcome: "deferred", runId: request.runId, heldBy: held.heldBy },
  };
}

async function acknowledgeDuplicate(
  deps: WorkerDeps,
  run: RunRecord,
  delivery: DeliveryInfo,
  log: AppLog,
): Promise<Disposition> {
  await recordDuplicateDelivery(deps.tables.runs, run, delivery.dequeueCount, deps.now());
  log.warn(`${run.serviceId}: run ${run.runId} is already ${run.status}; duplicate delivery acknowledged and recorded`);
  return { kind: "acknowledge", outcome: { outcome: "duplicate", runId: run.runId, status: run.status } };
}

async function runUnderLease(
  deps: WorkerDeps,
  request: ReconcileRequest,
  delivery: DeliveryInfo,
  fence: LeaseFence,
  log: AppLog,
): Promise<Disposition> {
  const startedAt = deps.now();
  const run = await startRun(deps.tables, request, {
    attempt: delivery.dequeueCount,
    worker: deps.workerId,
    startedAt,
  });
  // Finished between our first look and the lease (another delivery of the same message).
  if (run.alreadyFinished) return await acknowledgeDuplicate(deps, run.alreadyFinished, delivery, log);

  let report: ReconcileReport;
  try {
    if (!request.dryRun) {
      const inFlight = await resolveEarlierWrites(deps, request, delivery, fence, log);
      if (inFlight.length > 0) return await awaitEarlierWrites(deps, request, startedAt, inFlight);
    }
    const journal = tableWriteJournal(
      deps.tables.writes,
      {
        serviceId: request.serviceId,
        runId: request.runId,
        attempt: delivery.dequeueCount,
        leaseGeneration: fence.generation,
      },
      () => deps.now(),
      () => fence.check(),
    );
    report = await deps.engine.reconcile(request.serviceId, {
      dryRun: request.dryRun,
      hints: engineHintsOf(request),
      journal,
      recordedMachineOf: (principalId) => findMachineIdByPrincipal(deps.tables.machines, principalId),
    });
  } catch (error) {
    if (fence.problem()) return await leaseLost(deps, request, startedAt, fence);
    return await recordFailure(deps, request, delivery, startedAt, error, log);
  }
  // Whatever the engine did not write after the lease was lost, its results are not this worker's to record.
  if (fence.problem()) return await leaseLost(deps, request, startedAt, fence);

  await addLateTriggers(deps.tables, request, run.coalescedTriggers);
  const failed = report.outcomes.some((o) => o.status === "failed");
  const status: ReconciledStatus = request.dryRun ? "dryRun" : failed ? "completedWithFailures" : "succeeded";
  // A dry run writes no status rows and asks for nothing more.
  const written = request.dryRun
    ? { followUps: [], followUpLines: [] }
    : await recordResult(deps, request, report, status);
  const reconciled: ReconciledRun = { request, attempt: delivery.dequeueCount, status, report, startedAt, ...written };
  return { kind: "acknowledge", outcome: { outcome: "reconciled", runId: request.runId, status, report }, reconciled };
}

/**
 * Writes the report into the server and service rows, and decides the looks that follow (as values: settling requests
 * them).
 */
async function recordResult(
  deps: WorkerDeps,
  request: ReconcileRequest,
  report: ReconcileReport,
  status: ReconciledStatus,
): Promise<Pick<ReconciledRun, "recorded" | "followUps" | "followUpLines">> {
  const recorded = await recordReconcileResult(deps.tables, {
    report,
    runId: request.runId,
    runStatus: status,
    now: deps.now(),
    activationWindowMs: deps.config.activationWindowMs,
  });
  const followUps = decideFollowUps(
    request,
    report,
    { serverIds: recorded.previousServerIds },
    { recheckDelaysMs: deps.config.discoveryRecheckDelaysMs, minAgentVersion: deps.config.minAgentVersion },
  );
  return {
    recorded,
    followUps,
    followUpLines: recorded.dueEntries.map((due) => `activation check of ${due.serverId} at ${due.dueAt}`),
  };
}

/**
 * Requests the run's follow-ups, then closes its record listing them (the follow-ups first: a crash between leaves the
 * run to be redone, not a look lost).
 */
async function closeReconciledRun(deps: WorkerDeps, run: ReconciledRun, log: AppLog): Promise<void> {
  const { request, report, status } = run;
  const followUps = [...run.followUpLines];
  const warnings = [...report.warnings];
  for (const followUp of run.followUps) {
    if (followUp.kind === "note") (followUp.gaveUp ? warnings : followUps).push(followUp.text);
    else
      followUps.push(followUp.describe((await requestReconcile(deps.scheduler, followUp.ask, deps.now(), log)).runId));
  }
  const finishedAt = deps.now();
  await finishReconciledRun(deps.tables.runs, request.runId, {
    status,
    startedAt: run.startedAt,
    finishedAt,
    report,
    warnings,
    followUps,
  });
  log.info(
    `${request.serviceId}: run ${request.runId} ${status} (${report.plan.length} actions, ${report.armCalls.reads} reads, ${report.armCalls.writes} writes)`,
  );
  await trackReconciled(deps.telemetry, {
    request,
    attempt: run.attempt,
    status,
    report,
    startedAt: run.startedAt,
    finishedAt,
    recorded: run.recorded,
  });
}

/**
 * How long after its intent a write may still land: its worker stops writing once its lease has run out by its own
 * clock, and a write handed to the network just before a pause (a stopped process, a frozen VM) is allowed one more
 * lease duration to arrive.
 */
export const inFlightWindowMs = (leaseDurationMs: number): number => 2 * leaseDurationMs;

/**
 * Writes of earlier attempts left unanswered (the attempt was killed mid-write, or lost its lease):
 * resolved under the lease, before this run writes anything; only those of an older lease generation.
 * One not in effect and intended within the in-flight window may still be on its way: it is left open
 * and returned, and this attempt writes nothing (awaitEarlierWrites).
 */
async function resolveEarlierWrites(
  deps: WorkerDeps,
  request: ReconcileRequest,
  delivery: DeliveryInfo,
  fence: LeaseFence,
  log: AppLog,
): Promise<StoredWrite[]> {
  const report = (write: StoredWrite, outcome: ResolutionOutcome) => {
    const which = `${request.serviceId}: interrupted ${write.kind} of run ${write.runId} (attempt ${write.attempt})`;
    if (outcome === "notOlder")
      log.warn(
        `${which} carries lease generation ${write.leaseGeneration}, not older than this run's ${fence.generation}; left open`,
      );
    else if (outcome === "completedByWriter") log.info(`${which} was completed by its writer meanwhile`);
    else if (outcome === "mayBeInFlight") log.info(`${which} is not in effect and may still be on its way to ARM`);
    else log.info(`${which} resolved as ${outcome}`);
  };
  return await resolveInterruptedWrites(
    deps.tables.writes,
    request.serviceId,
    {
      resolvedBy: `${request.runId}#${delivery.dequeueCount}`,
      generation: fence.generation,
      now: () => deps.now(),
      tookEffect: (write: StoredWrite) => deps.engine.writeTookEffect(write),
      guard: () => fence.check(),
      notAppliedOnlyBefore: new Date(deps.now().getTime() - inFlightWindowMs(deps.config.leaseDurationMs)),
    },
    report,
  );
}

/**
 * An earlier write may still land: writing now would race it, and ARM would not tell afterwards whose write made
 * the change. The attempt writes nothing, is recorded as awaitingWrites, and the run is queued again for when the
 * last of those writes has landed or can no longer land.
 */
async function awaitEarlierWrites(
  deps: WorkerDeps,
  request: ReconcileRequest,
  startedAt: Date,
  inFlight: readonly StoredWrite[],
): Promise<Disposition> {
  const window = inFlightWindowMs(deps.config.leaseDurationMs);
  const landsBy = Math.max(...inFlight.map((w) => Date.parse(w.intendedAt) + window));
  const delayMs = Math.max(1000, landsBy - deps.now().getTime());
  const writes = inFlight.map((w) => `${w.kind} ${w.target} (run ${w.runId} attempt ${w.attempt})`).join("; ");
  const error = `${inFlight.length} earlier write(s) not in effect may still be on their way to ARM: ${writes}; nothing written, looked at again in ${delayMs} ms`;
  await finishFailedRun(deps.tables.runs, request.runId, {
    status: "awaitingWrites",
    startedAt,
    finishedAt: deps.now(),
    error,
    errorCode: "EarlierWritesInFlight",
  });
  return {
    kind: "requeueAfter",
    request,
    delayMs,
    outcome: { outcome: "awaitingWrites", runId: request.runId, error },
  };
}

/**
 * The attempt's worker lost the service's lease: the attempt is recorded as
 * leaseLost (the run waits as retrying), and the run is queued again to go on
 * under a lease of its own. Nothing else this attempt saw is recorded: another
 * worker may have reconciled the service since.
 */
async function leaseLost(
  deps: WorkerDeps,
  request: ReconcileRequest,
  startedAt: Date,
  fence: LeaseFence,
): Promise<Disposition> {
  const error = `the lease of ${request.serviceId} (generation ${fence.generation}) was lost: ${fence.problem() ?? "unknown"}; stopped before the next write`;
  await finishFailedRun(deps.tables.runs, request.runId, {
    status: "leaseLost",
    startedAt,
    finishedAt: deps.now(),
    error,
    errorCode: "LeaseLost",
  });
  const delayMs = Math.max(1000, deps.config.reconcileCoalesceDelayMs);
  return { kind: "requeueAfter", request, delayMs, outcome: { outcome: "leaseLost", runId: request.runId, error } };
}

/** A run whose reconcile threw: recorded, then acknowledged when terminal or redelivered when transient. */
async function recordFailure(
  deps: WorkerDeps,
  request: ReconcileRequest,
  delivery: DeliveryInfo,
  startedAt: Date,
  error: unknown,
  log: AppLog,
): Promise<Disposition> {
  const info = deps.engine.errorInfo(error);
  const message = `${info.code}: ${info.message}`;
  const transient = deps.engine.isTransient(error);
  const lastAttempt = delivery.dequeueCount >= deps.maxDequeueCount;
  const status: FailedStatus = !transient ? "failed" : lastAttempt ? "poisoned" : "retrying";
  const now = deps.now();
  await finishFailedRun(deps.tables.runs, request.runId, {
    status,
    startedAt,
    finishedAt: now,
    error: message,
    errorCode: info.code,
  });
  const deleted =
    !request.dryRun &&
    status === "failed" &&
    (await handleDeletedService(
      deps,
      { serviceId: request.serviceId, runId: request.runId, error, message, now },
      log,
    ));
  if (!request.dryRun && status !== "retrying" && !deleted) {
    await recordRunFailure(
      deps.tables.services,
      request.serviceId,
      { runId: request.runId, status, message, attempts: delivery.dequeueCount },
      now,
    );
  }
  await trackRunFailure(deps.telemetry, {
    request,
    attempt: delivery.dequeueCount,
    status,
    startedAt,
    finishedAt: now,
    errorCode: info.code,
    error: message,
  });
  if (!transient) {
    log.error(`${request.serviceId}: run ${request.runId} failed and will not be retried: ${message}`);
    return { kind: "acknowledge", outcome: { outcome: "failed", runId: request.runId, error: message } };
  }
  log.warn(
    `${request.serviceId}: run ${request.runId} attempt ${delivery.dequeueCount} failed (${message})${lastAttempt ? "; moving to the poison queue" : "; will retry"}`,
  );
  return {
    kind: "redeliver",
    error: new TransientReconcileError(`${request.serviceId}: ${message}`, lastAttempt, { cause: error }),
  };
}
