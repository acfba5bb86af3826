import { odata, type TableClient } from "@azure/data-tables";
import type { z } from "zod";
import type { Trigger } from "../queue/messages";
import { decodeRow, flat } from "../tables/entity";
import { toJsonColumns } from "../tables/json-columns";
import { invertedTimeKey, parseRunId } from "../tables/run-id";
import { duplicateRowSchema, rejectedRowSchema, RUN_JSON_COLUMNS, runRowSchema, type DuplicateDelivery, type RejectedMessage, type RunRecord } from "./rows";
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
  Pick<RunRecord, "plan" | "outcomes" | "servers" | "armReads" | "armWrites" | "converged" | "error" | "errorCode" | "warnings" | "followUps">
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

async function readRunEntity(table: TableClient, keys: { partitionKey: string; rowKey: string }): Promise<StoredEntity | undefined> {
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
export async function recordRunStarted(table: TableClient, runId: string, started: RunStarted): Promise<"started" | "finished"> {
  const keys = keysOf(runId);
  const existing = await readRunEntity(table, keys);
  const current = existing ? runFromEntity(existing) : undefined;
  if (isFinalRunStatus(current?.status)) return "finished";
  const attempts = startAttempt(current?.attempts ?? [], { attempt: started.attempt, worker: started.worker, startedAt: started.startedAt.toISOString() });
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
  await table.updateEntity(flat(keysOf(runId), { coalescedCount: triggers.length, ...toJsonColumns("coalescedTriggers", triggers.slice(0, 50)) }), "Merge");
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
  const attempts = finishAttempt(current?.attempts ?? [], { status: done.status, finishedAt: done.finishedAt.toISOString(), error, errorCode: done.errorCode });
  const { error: _previousError, errorCode: _previousCode, ...kept } = existing ? ownProperties(existing) : {};
  const entity = flat(keys, {
    ...kept,
    // A run whose worker lost the lease is queued again: it waits for its next attempt as a retry does.
    status: done.status === "leaseLost" ? "retrying" : done.status,
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

const DUPLICATES_PARTITION = "_duplicates";

/** A delivery of a finished run's message, acknowledged without touching the run (its partition never collides with a service key). */
export async function recordDuplicateDelivery(table: TableClient, run: RunRecord, dequeueCount: number, now: Date = new Date()): Promise<void> {
  await table.createEntity(
    flat(
      { partitionKey: DUPLICATES_PARTITION, rowKey: invertedTimeKey(now) },
      { runId: run.runId, serviceId: run.serviceId, runStatus: run.status, dequeueCount, receivedAt: now.toISOString() },
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

/** The newest `limit` rows of a partition kept beside the runs (rejected messages, duplicate deliveries), decoded by their schema. */
async function listSidePartition<S extends z.ZodObject>(
  table: TableClient,
  partition: string,
  schema: S,
  limit: number,
  andFilter = "",
): Promise<z.infer<S>[]> {
  const out: z.infer<S>[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `${odata`PartitionKey eq ${partition}`}${andFilter}` } })) {
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
export async function recordRejectedMessage(table: TableClient, raw: unknown, error: string, now: Date = new Date()): Promise<string> {
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
