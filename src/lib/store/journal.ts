import { odata, type TableClient } from "@azure/data-tables";
import type { WriteIntent, WriteJournal, WriteResult } from "../reconcile";
import { decodeRow, flat } from "../tables/entity";
import { resourceKey } from "../tables/keys";
import { parseRunId } from "../tables/run-id";
import { writeRowSchema, type WriteRecord } from "./rows";

/** The run and attempt a journal writes for. */
export interface JournalAttempt {
  serviceId: string;
  runId: string;
  attempt: number;
}

/** `<run row key>-<attempt, 3 digits>-<client request id>`: one run's writes sort together, by attempt. */
export function writeRowKey(runId: string, attempt: number, clientRequestId: string): string {
  const keys = parseRunId(runId);
  if (!keys) throw new Error(`not a run id: ${runId}`);
  return `${runPrefix(keys.rowKey)}${String(attempt).padStart(3, "0")}-${clientRequestId}`;
}

const runPrefix = (runRowKey: string): string => `${runRowKey}-`;

/** The Writes table as the engine's journal for one attempt of one run. */
export function tableWriteJournal(table: TableClient, at: JournalAttempt, now: () => Date = () => new Date()): WriteJournal {
  const partitionKey = resourceKey(at.serviceId);
  return {
    async intend(intent: WriteIntent): Promise<void> {
      await table.createEntity(
        flat(
          { partitionKey, rowKey: writeRowKey(at.runId, at.attempt, intent.clientRequestId) },
          { serviceId: at.serviceId, runId: at.runId, attempt: at.attempt, ...intent, intendedAt: now().toISOString(), status: "intended" },
        ),
      );
    },
    async complete(clientRequestId: string, result: WriteResult): Promise<void> {
      await table.updateEntity(
        flat({ partitionKey, rowKey: writeRowKey(at.runId, at.attempt, clientRequestId) }, { ...result, finishedAt: now().toISOString() }),
        "Merge",
      );
    },
  };
}

export interface StoredWrite extends WriteRecord {
  rowKey: string;
}

async function query(table: TableClient, filter: string): Promise<StoredWrite[]> {
  const out: StoredWrite[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const row = decodeRow(writeRowSchema, e);
    if (row) out.push({ ...row, rowKey: String(e.rowKey) });
  }
  return out;
}

/** Every journal entry of one run (all attempts), in attempt order. */
export function listRunWrites(table: TableClient, runId: string): Promise<StoredWrite[]> {
  const keys = parseRunId(runId);
  if (!keys) return Promise.resolve([]);
  const prefix = runPrefix(keys.rowKey);
  // Row keys of one run share the prefix; '.' sorts right after '-'.
  return query(table, odata`PartitionKey eq ${keys.partitionKey} and RowKey ge ${prefix} and RowKey lt ${`${keys.rowKey}.`}`);
}

/** Intents of a service whose outcome no attempt recorded (left by an attempt that was killed mid-write). */
export function listUnresolvedIntents(table: TableClient, serviceId: string): Promise<StoredWrite[]> {
  return query(table, odata`PartitionKey eq ${resourceKey(serviceId)} and status eq 'intended'`);
}

/** Records how a later run resolved an interrupted intent. */
export async function resolveIntent(
  table: TableClient,
  serviceId: string,
  rowKey: string,
  resolution: { status: "applied" | "notApplied"; resolvedBy: string; finishedAt: Date },
): Promise<void> {
  await table.updateEntity(
    flat(
      { partitionKey: resourceKey(serviceId), rowKey },
      { status: resolution.status, resolvedBy: resolution.resolvedBy, finishedAt: resolution.finishedAt.toISOString() },
    ),
    "Merge",
  );
}

/**
 * Writes an earlier attempt announced but never completed (it was killed
 * between the intent and the answer), each resolved by asking `tookEffect`
 * (a read of ARM) and recorded as applied or notApplied, `resolvedBy` this
 * attempt. One table query when there are none.
 */
export async function resolveInterruptedWrites(
  table: TableClient,
  serviceId: string,
  resolution: { resolvedBy: string; now(): Date; tookEffect(write: StoredWrite): Promise<boolean> },
  onResolved: (write: StoredWrite, applied: boolean) => void,
): Promise<void> {
  for (const write of await listUnresolvedIntents(table, serviceId)) {
    const applied = await resolution.tookEffect(write);
    await resolveIntent(table, serviceId, write.rowKey, {
      status: applied ? "applied" : "notApplied",
      resolvedBy: resolution.resolvedBy,
      finishedAt: resolution.now(),
    });
    onResolved(write, applied);
  }
}
