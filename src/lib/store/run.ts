import { odata, type TableClient } from "@azure/data-tables";
import type { z } from "zod";
import type { ReconcileRequest, Trigger } from "../queue/messages";
import type { ReconcileReport } from "../reconcile";
import type { StoreTables } from "../tables/clients";
import { takeMergedTriggers, takePending } from "./pending-marker";
import { decodeRow, flat } from "../tables/entity";
import { toJsonColumns } from "../tables/json-columns";
import { invertedTimeKey, parseRunId } from "../tables/run-id";
import {
  duplicateRowSchema,
  rejectedRowSchema,
  RUN_JSON_COLUMNS,
  runRowSchema,
  type DuplicateDelivery,
  type RejectedMessage,
  type RunRecord,
  type RunServerSummary,
} from "./rows";
import { finishAttempt, isFinalRunStatus, startAttempt, type AttemptEnd } from "./run-attempts";

export interface RunStarted {
  /** Repeated from the queued row, so a run whose queued row was never written is still complete. */
  serviceId: string;
  dryRun: boolean;
  trigger: Trigger;
  queuedAt: string;
  startedAt: Date;
  attempt: number;
  worker: string;
  coalescedTriggers: Trigger[];
}

/** What a finished run adds to its record; the fields are the record's own. */
export type RunFinished = { status: AttemptEnd; finishedAt: Date; startedAt: Date } & Partial<
  Pick<
    RunRecord,
    | "plan"
    | "outcomes"
    | "servers"
    | "armReads"
    | "armWrites"
    | "converged"
    | "error"
    | "errorCode"
    | "warnings"
    | "followUps"
  >
>;

function keysOf(runId: string): { partitionKey: string; rowKey: string } {
  const keys = parseRunId(runId);
  if (!keys) throw new Error(`not a run id: ${runId}`);
  return keys;
}

export async function recordRunQueued(
  table: TableClient,
  run: { runId: string; serviceId: string; dryRun: boolean; trigger: Trigger; queuedAt: Date },
): Promise<void> {
  await table.upsertEntity(
    flat(keysOf(run.runId), {
      runId: run.runId,
      serviceId: run.serviceId,
      status: "queued",
      dryRun: run.dryRun,
      queuedAt: run.queuedAt.toISOString(),
      ...toJsonColumns("trigger", run.trigger),
    }),
    "Merge",
  );
}

type StoredEntity = Record<string, unknown> & { etag: string };

async function readRunEntity(
  table: TableClient,
  keys: { partitionKey: string; rowKey: string },
): Promise<StoredEntity | undefined> {
  try {
    return (await table.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey)) as StoredEntity;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** The stored properties of an entity, without the service's metadata (keys, ETag, Timestamp, odata.*). */
function ownProperties(entity: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(entity)) {
    if (["partitionKey", "rowKey", "etag", "timestamp"].includes(k) || k.startsWith("odata")) continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

/**
 * Records that an attempt started. "finished" (and nothing written) when the
 * run is already over: a redelivered message of a finished run must not touch
 * its record. ETag-conditioned, so a run finished in between is never reopened.
 */
export async function recordRunStarted(
  table: TableClient,
  runId: string,
  started: RunStarted,
): Promise<"started" | "finished"> {
  const keys = keysOf(runId);
  const existing = await readRunEntity(table, keys);
  const current = existing ? runFromEntity(existing) : undefined;
  if (isFinalRunStatus(current?.status)) return "finished";
  const attempts = startAttempt(current?.attempts ?? [], {
    attempt: started.attempt,
    worker: started.worker,
    startedAt: started.startedAt.toISOString(),
  });
  const entity = flat(keys, {
    runId,
    serviceId: started.serviceId,
    dryRun: started.dryRun,
    queuedAt: started.queuedAt,
    ...toJsonColumns("trigger", started.trigger),
    status: "running",
    startedAt: started.startedAt.toISOString(),
    attempt: started.attempt,
    worker: started.worker,
    coalescedCount: started.coalescedTriggers.length,
    ...toJsonColumns("coalescedTriggers", started.coalescedTriggers.slice(0, 50)),
    ...toJsonColumns("attempts", attempts),
  });
  if (existing) await table.updateEntity(entity, "Merge", { etag: existing.etag });
  else await table.createEntity(entity);
  return "started";
}

/** Triggers merged into a running run after it started. */
export async function recordCoalescedTriggers(table: TableClient, runId: string, triggers: Trigger[]): Promise<void> {
  await table.updateEntity(
    flat(keysOf(runId), {
      coalescedCount: triggers.length,
      ...toJsonColumns("coalescedTriggers", triggers.slice(0, 50)),
    }),
    "Merge",
  );
}

/**
 * Records how the latest attempt ended. The run's status, error and errorCode
 * are replaced by this attempt's (an earlier attempt's error does not linger);
 * false (nothing written) when the run had already finished.
 */
export async function recordRunFinished(table: TableClient, runId: string, done: RunFinished): Promise<boolean> {
  const keys = keysOf(runId);
  const existing = await readRunEntity(table, keys);
  const current = existing ? runFromEntity(existing) : undefined;
  if (isFinalRunStatus(current?.status)) return false;
  const error = done.error?.slice(0, 4000);
  const attempts = finishAttempt(current?.attempts ?? [], {
    status: done.status,
    finishedAt: done.finishedAt.toISOString(),
    error,
    errorCode: done.errorCode,
  });
  const { error: _previousError, errorCode: _previousCode, ...kept } = existing ? ownProperties(existing) : {};
  const entity = flat(keys, {
    ...kept,
    // A run whose worker lost the lease, or that waits for an earlier write, is queued again: it waits for its next
    // attempt as a retry does.
    status: done.status === "leaseLost" || done.status === "awaitingWrites" ? "retrying" : done.status,
    finishedAt: done.finishedAt.toISOString(),
    durationMs: done.finishedAt.getTime() - done.startedAt.getTime(),
    armReads: done.armReads,
    armWrites: done.armWrites,
    converged: done.converged,
    error,
    errorCode: done.errorCode,
    ...(done.plan ? toJsonColumns("plan", done.plan) : {}),
    ...(done.outcomes ? toJsonColumns("outcomes", done.outcomes) : {}),
    ...(done.servers ? toJsonColumns("servers", done.servers) : {}),
    ...toJsonColumns("warnings", done.warnings ?? []),
    ...toJsonColumns("followUps", done.followUps ?? []),
    ...toJsonColumns("attempts", attempts),
  });
  if (existing) await table.updateEntity(entity, "Replace", { etag: existing.etag });
  else await table.createEntity(entity);
  return true;
}

/*
 * A run in the worker's terms: start, add late triggers, finish (reconciled
 * or failed); a message that is no run is rejected, a delivery of a run
 * already over is a duplicate.
 */

/** The run when it is over (its record never changes again), else undefined. */
export async function finishedRun(table: TableClient, runId: string): Promise<RunRecord | undefined> {
  const run = await getRun(table, runId);
  return run && isFinalRunStatus(run.status) ? run : undefined;
}

export interface StartedRun {
  /** Triggers merged into the run while it waited on the queue. */
  coalescedTriggers: Trigger[];
  /** Set when another delivery of the same message finished the run first. */
  alreadyFinished?: RunRecord;
}

/**
 * An attempt starts: the service's pending marker is taken with the triggers
 * merged into it (not for a dry run, which is never coalesced), and the
 * attempt is recorded.
 */
export async function startRun(
  tables: Pick<StoreTables, "runs" | "pending">,
  request: ReconcileRequest,
  attempt: { attempt: number; worker: string; startedAt: Date },
): Promise<StartedRun> {
  const merged = request.dryRun
    ? { mergedTriggers: [] }
    : await takePending(tables.pending, request.serviceId, request.runId);
  const started = await recordRunStarted(tables.runs, request.runId, {
    serviceId: request.serviceId,
    dryRun: request.dryRun,
    trigger: request.trigger,
    queuedAt: request.requestedAt,
    ...attempt,
    coalescedTriggers: merged.mergedTriggers,
  });
  const alreadyFinished = started === "finished" ? await finishedRun(tables.runs, request.runId) : undefined;
  return { coalescedTriggers: merged.mergedTriggers, ...(alreadyFinished ? { alreadyFinished } : {}) };
}

/**
 * Triggers merged in the moment between the run taking its marker and starting: still this run's, added to its record.
 */
export async function addLateTriggers(
  tables: Pick<StoreTables, "runs" | "pending">,
  request: ReconcileRequest,
  coalesced: Trigger[],
): Promise<void> {
  if (request.dryRun) return;
  const late = await takeMergedTriggers(tables.pending, request.serviceId, request.runId);
  if (late.length > 0) await recordCoalescedTriggers(tables.runs, request.runId, [...coalesced, ...late]);
}

/** A run whose reconcile returned a report: its plan, outcomes, servers, ARM calls, warnings and follow-ups. */
export async function finishReconciledRun(
  table: TableClient,
  runId: string,
  done: {
    status: AttemptEnd;
    startedAt: Date;
    finishedAt: Date;
    report: ReconcileReport;
    warnings: string[];
    followUps: string[];
  },
): Promise<void> {
  const { report } = done;
  await recordRunFinished(table, runId, {
    status: done.status,
    startedAt: done.startedAt,
    finishedAt: done.finishedAt,
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
    warnings: done.warnings,
    followUps: done.followUps,
  });
}

/** A run whose reconcile threw: the attempt ends failed, retrying or poisoned, with the error. */
export async function finishFailedRun(
  table: TableClient,
  runId: string,
  done: { status: AttemptEnd; startedAt: Date; finishedAt: Date; error: string; errorCode: string },
): Promise<void> {
  await recordRunFinished(table, runId, done);
}

const DUPLICATES_PARTITION = "_duplicates";

/**
 * A delivery of a finished run's message, acknowledged without touching the run (its partition never collides with a
 * service key).
 */
export async function recordDuplicateDelivery(
  table: TableClient,
  run: RunRecord,
  dequeueCount: number,
  now: Date = new Date(),
): Promise<void> {
  await table.createEntity(
    flat(
      { partitionKey: DUPLICATES_PARTITION, rowKey: invertedTimeKey(now) },
      {
        runId: run.runId,
        serviceId: run.serviceId,
        runStatus: run.status,
        dequeueCount,
        receivedAt: now.toISOString(),
      },
    ),
  );
}

export function listDuplicateDeliveries(table: TableClient, limit = 50): Promise<DuplicateDelivery[]> {
  return listSidePartition(table, DUPLICATES_PARTITION, duplicateRowSchema, limit);
}

/** The duplicate deliveries of one run, newest first. */
export function listDuplicateDeliveriesOf(table: TableClient, runId: string, limit = 50): Promise<DuplicateDelivery[]> {
  return listSidePartition(table, DUPLICATES_PARTITION, duplicateRowSchema, limit, odata` and runId eq ${runId}`);
}

/**
 * The newest `limit` rows of a partition kept beside the runs (rejected messages, duplicate deliveries), decoded by
 * their schema.
 */
async function listSidePartition<S extends z.ZodObject>(
  table: TableClient,
  partition: string,
  schema: S,
  limit: number,
  andFilter = "",
): Promise<z.infer<S>[]> {
  const out: z.infer<S>[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `${odata`PartitionKey eq ${partition}`}${andFilter}` },
  })) {
    const row = decodeRow(schema, e);
    if (row) out.push(row);
    if (out.length >= limit) break;
  }
  return out;
}

/** Removes a run that never made it onto the queue (nothing ran, so there is nothing to audit). */
export async function deleteRun(table: TableClient, runId: string): Promise<void> {
  const keys = keysOf(runId);
  await table.deleteEntity(keys.partitionKey, keys.rowKey);
}

const REJECTED_PARTITION = "_rejected";

/** At most `max` UTF-16 units, never ending in half a surrogate pair (an arbitrary message may hold emoji anywhere). */
function cut(text: string, max: number): string {
  const head = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

/** An invalid queue message, kept for the operator (its partition never collides with a service key). */
export async function recordRejectedMessage(
  table: TableClient,
  raw: unknown,
  error: string,
  now: Date = new Date(),
): Promise<string> {
  const rowKey = invertedTimeKey(now);
  let text: string;
  try {
    text = typeof raw === "string" ? raw : JSON.stringify(raw);
  } catch {
    text = String(raw);
  }
  await table.createEntity(
    flat(
      { partitionKey: REJECTED_PARTITION, rowKey },
      { status: "rejected", error: cut(error, 4000), message: cut(text ?? "", 8000), rejectedAt: now.toISOString() },
    ),
  );
  return rowKey;
}

export function listRejectedMessages(table: TableClient, limit = 50): Promise<RejectedMessage[]> {
  return listSidePartition(table, REJECTED_PARTITION, rejectedRowSchema, limit);
}

export function runFromEntity(e: Record<string, unknown>): RunRecord | undefined {
  return decodeRow(runRowSchema, e, RUN_JSON_COLUMNS);
}

export async function getRun(table: TableClient, runId: string): Promise<RunRecord | undefined> {
  const keys = parseRunId(runId);
  if (!keys) return undefined;
  try {
    const e = await table.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey);
    return runFromEntity(e);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * A run is marked "running" before the engine starts and finished after it. A
 * worker that dies in between (host crash, scale-in, the last delivery moved
 * to the poison queue without running) leaves "running" behind for good. A
 * live run holds the service lease and renews it; a run that does not hold it
 * and started longer than the lease duration ago is not running any more: the
 * status API says so instead of showing it running forever. Nothing is lost: the row keeps what it had, and
 * the next run of the service (event, re-run or the daily sweep) repairs
 * whatever the abandoned one left half done.
 */
export function withAbandonment(
  run: RunRecord,
  now: Date,
  leaseDurationMs: number,
  lease: { owner: string } | undefined,
): RunRecord {
  if (run.status !== "running" || !run.startedAt) return run;
  // The worker renews the lease while the run lasts: as long as this run holds it, it is alive.
  if (lease?.owner.endsWith(`/${run.runId}`)) return run;
  const started = Date.parse(run.startedAt);
  if (!Number.isFinite(started) || now.getTime() <= started + leaseDurationMs) return run;
  return {
    ...run,
    status: "abandoned",
    error:
      run.error ??
      `the worker stopped without finishing this run (started ${run.startedAt}, its ${Math.round(leaseDurationMs / 1000)} s lease expired); ` +
        "the next run of the service repairs what it left undone",
  };
}
