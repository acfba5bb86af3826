import { isWithinScopes } from "../azure/resource-id";
import { parseReconcileMessage, type DiscoveryWatch, type ReconcileRequest } from "../queue/messages";
import { takeMergedTriggers, takePending } from "../queue/pending-marker";
import { requestReconcile } from "../queue/schedule";
import { acquireLease, releaseLease } from "../status/lease";
import { recordReconcileResult } from "../status/record-reconcile";
import type { RunStatus } from "../status/records";
import { recordRejectedMessage, recordRunFinished, recordRunStarted, type RunServerSummary } from "../status/run-records";
import { updateService } from "../status/service-records";
import { isAgentTooOld } from "../reconcile/agent-version";
import type { ActionOutcome, ReconcileReport } from "../reconcile/report";
import type { AppLog } from "./log";
import type { AppServices } from "./services";

export type WorkerOutcome =
  | { outcome: "reconciled"; runId: string; status: RunStatus; report: ReconcileReport }
  | { outcome: "deferred"; runId: string; heldBy: string }
  | { outcome: "rejected"; error: string }
  | { outcome: "failed"; runId: string; error: string };

export interface DeliveryInfo {
  /** The host's dequeue count of this delivery (1 on the first). */
  dequeueCount: number;
}

/** Thrown for failures worth retrying; the queue delivers the message again. */
export class TransientReconcileError extends Error {
  constructor(message: string, public readonly lastAttempt: boolean, options?: { cause?: unknown }) {
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
export async function handleReconcileMessage(app: AppServices, raw: unknown, delivery: DeliveryInfo, log: AppLog): Promise<WorkerOutcome> {
  const parsed = parseReconcileMessage(raw);
  if (!parsed.ok) {
    log.error(`reconcile message rejected: ${parsed.error}`);
    await recordRejectedMessage(app.tables.runs, raw, parsed.error, app.now());
    return { outcome: "rejected", error: parsed.error };
  }
  const request = parsed.request;
  if (!isWithinScopes(request.serviceId, app.config.managedScopes)) {
    const error = `${request.serviceId} is outside MANAGED_SCOPES (${app.config.managedScopes.join(", ")})`;
    log.error(`reconcile message rejected: ${error}`);
    await recordRejectedMessage(app.tables.runs, raw, error, app.now());
    return { outcome: "rejected", error };
  }

  const owner = `${app.workerId}/${request.runId}`;
  const lease = await acquireLease(app.tables.leases, request.serviceId, owner, app.config.leaseDurationMs, app.now());
  if (!lease.acquired) {
    // Someone is reconciling this service right now: ask again after a while rather than fail.
    const delayMs = Math.max(1000, Math.min(app.config.reconcileCoalesceDelayMs, lease.expiresAt.getTime() - app.now().getTime()));
    await app.queue.send(request, delayMs);
    log.info(`${request.serviceId}: lease held by ${lease.heldBy}; run ${request.runId} re-queued in ${delayMs} ms`);
    return { outcome: "deferred", runId: request.runId, heldBy: lease.heldBy };
  }
  try {
    return await runUnderLease(app, request, delivery, log);
  } finally {
    await releaseLease(app.tables.leases, lease.lease).catch((error: unknown) => log.warn(`could not release the lease of ${request.serviceId}`, error));
  }
}

async function runUnderLease(app: AppServices, request: ReconcileRequest, delivery: DeliveryInfo, log: AppLog): Promise<WorkerOutcome> {
  const startedAt = app.now();
  const merged = request.dryRun ? { mergedTriggers: [], mergedCount: 0 } : await takePending(app.tables.pending, request.serviceId, request.runId);
  const started = {
    serviceId: request.serviceId,
    dryRun: request.dryRun,
    trigger: request.trigger,
    queuedAt: request.requestedAt,
    startedAt,
    attempt: delivery.dequeueCount,
    worker: app.workerId,
    coalescedTriggers: merged.mergedTriggers,
  };
  await recordRunStarted(app.tables.runs, request.runId, started);

  let report: ReconcileReport;
  try {
    report = await app.engine.reconcile(request.serviceId, { dryRun: request.dryRun });
  } catch (error) {
    return await recordFailure(app, request, delivery, startedAt, error, log);
  }

  // Triggers merged in the moment between our taking the marker and the run starting: still this run's.
  if (!request.dryRun) {
    const late = await takeMergedTriggers(app.tables.pending, request.serviceId, request.runId);
    if (late.length > 0) await recordRunStarted(app.tables.runs, request.runId, { ...started, coalescedTriggers: [...merged.mergedTriggers, ...late] });
  }
  const failed = report.outcomes.some((o) => o.status === "failed");
  const status: RunStatus = request.dryRun ? "dryRun" : failed ? "completedWithFailures" : "succeeded";
  const followUps: string[] = [];
  const warnings = [...report.warnings];
  if (!request.dryRun) {
    const recorded = await recordReconcileResult(app.tables, {
      report,
      runId: request.runId,
      runStatus: status,
      now: app.now(),
      activationWindowMs: app.config.activationWindowMs,
    });
    for (const due of recorded.dueEntries) followUps.push(`activation check of ${due.serverId} at ${due.dueAt}`);
    const note = await requeueIfWorthIt(app, request, report, recorded.newServerIds);
    if (note) (note.startsWith("gave up") ? warnings : followUps).push(note);
    for (const watch of request.discovery ?? []) {
      const note = await followUpDiscovery(app, request, report, watch);
      (note.startsWith("gave up") ? warnings : followUps).push(note);
    }
  }
  await recordRunFinished(app.tables.runs, request.runId, {
    status,
    startedAt,
    finishedAt: app.now(),
    plan: report.plan,
    outcomes: report.outcomes,
    servers: report.servers.map(
      (s): RunServerSummary => ({ serverId: s.serverId, name: s.name, state: s.state, principalId: s.principalId, switchedThisRun: s.switchedThisRun }),
    ),
    armReads: report.armCalls.reads,
    armWrites: report.armCalls.writes,
    converged: report.converged,
    warnings,
    followUps,
  });
  log.info(`${request.serviceId}: run ${request.runId} ${status} (${report.plan.length} actions, ${report.armCalls.reads} reads, ${report.armCalls.writes} writes)`);
  return { outcome: "reconciled", runId: request.runId, status, report };
}

/** Failures a later run can get past: throttling, outages, an identity still replicating. */
function isRetryableOutcome(error: ActionOutcome["error"]): boolean {
  if (!error) return false;
  if (error.code.toLowerCase() === "principalnotfound") return true;
  return error.statusCode === undefined || error.statusCode === 408 || error.statusCode === 429 || error.statusCode >= 500;
}

/**
 * controller-runtime's "requeue after": the service is looked at again after
 * a back-off (the DISCOVERY_RECHECK_DELAYS series) instead of waiting for the
 * daily sweep when actions failed for reasons that pass, or when a newly
 * registered server has no identity yet (its agent reports one minutes later,
 * and that report raises no event).
 */
async function requeueIfWorthIt(app: AppServices, request: ReconcileRequest, report: ReconcileReport, newServerIds: string[]): Promise<string | undefined> {
  const retryable = report.outcomes.filter((o) => o.status === "failed" && isRetryableOutcome(o.error));
  // Agents too old to know managed identities never report one: not worth waiting for.
  const noIdentity = new Set(
    report.servers.filter((s) => s.state === "NoIdentity" && !isAgentTooOld(s.agentVersion, app.config.minAgentVersion)).map((s) => s.serverId.toLowerCase()),
  );
  const waitedFor = request.trigger.kind === "retry" ? (request.trigger.waitingFor ?? []) : [];
  const waitingFor = [...new Set([...newServerIds, ...waitedFor])].filter((id) => noIdentity.has(id));
  if (retryable.length === 0 && waitingFor.length === 0) return undefined;
  const reasons = [
    ...(retryable.length > 0 ? [`${retryable.length} action(s) failed transiently: ${retryable.map((o) => o.error?.code).join(", ")}`] : []),
    ...(waitingFor.length > 0 ? [`${waitingFor.length} new server(s) without a reported identity yet`] : []),
  ];
  const reason = reasons.join("; ");
  const attempt = request.trigger.kind === "retry" ? request.trigger.attempt + 1 : 0;
  const delayMs = app.config.discoveryRecheckDelaysMs[attempt];
  if (delayMs === undefined) return `gave up retrying after ${attempt} retries: ${reason}`;
  const next = await requestReconcile(
    app.scheduler,
    {
      serviceId: request.serviceId,
      trigger: { kind: "retry", previousRunId: request.runId, attempt, reason: reason.slice(0, 500), ...(waitingFor.length > 0 ? { waitingFor: waitingFor.slice(0, 100) } : {}) },
      delayMs,
      coalesce: false,
    },
    app.now(),
  );
  return `retry ${attempt + 1} in ${Math.round(delayMs / 1000)} s (run ${next.runId}): ${reason}`;
}

/**
 * A machine's new identity is reported by the agent with no ARM event, so the
 * run that was meant to see it checks, and schedules the next look (with the
 * next, longer delay) until it shows up or the delays run out.
 */
async function followUpDiscovery(app: AppServices, request: ReconcileRequest, report: ReconcileReport, watch: DiscoveryWatch): Promise<string> {
  const reported = report.servers.find((s) => s.principalId?.toLowerCase() === watch.principalId.toLowerCase());
  if (reported) return `identity ${watch.principalId} of ${watch.machineId} reported by server ${reported.name}`;
  const next = watch.attempt + 1;
  const delayMs = app.config.discoveryRecheckDelaysMs[next];
  if (delayMs === undefined) {
    return `gave up waiting for the agent to report identity ${watch.principalId} of ${watch.machineId} after ${next} checks`;
  }
  const scheduled = await requestReconcile(
    app.scheduler,
    {
      serviceId: request.serviceId,
      trigger: { kind: "discovery", machineId: watch.machineId, principalId: watch.principalId, attempt: next },
      discovery: [{ ...watch, attempt: next }],
      delayMs,
    },
    app.now(),
  );
  return `identity ${watch.principalId} not reported yet; re-check ${next} in ${Math.round(delayMs / 1000)} s (run ${scheduled.runId})`;
}

async function recordFailure(
  app: AppServices,
  request: ReconcileRequest,
  delivery: DeliveryInfo,
  startedAt: Date,
  error: unknown,
  log: AppLog,
): Promise<WorkerOutcome> {
  const info = app.engine.errorInfo(error);
  const message = `${info.code}: ${info.message}`;
  const transient = app.engine.isTransient(error);
  const lastAttempt = delivery.dequeueCount >= app.maxDequeueCount;
  const status: RunStatus = !transient ? "failed" : lastAttempt ? "poisoned" : "retrying";
  const now = app.now();
  await recordRunFinished(app.tables.runs, request.runId, { status, startedAt, finishedAt: now, error: message, errorCode: info.code });
  if (!request.dryRun && status !== "retrying") {
    await updateService(
      app.tables.services,
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
  if (!transient) {
    log.error(`${request.serviceId}: run ${request.runId} failed and will not be retried: ${message}`);
    return { outcome: "failed", runId: request.runId, error: message };
  }
  log.warn(`${request.serviceId}: run ${request.runId} attempt ${delivery.dequeueCount} failed (${message})${lastAttempt ? "; moving to the poison queue" : "; will retry"}`);
  throw new TransientReconcileError(`${request.serviceId}: ${message}`, lastAttempt, { cause: error });
}
