import { odata, type TableClient } from "@azure/data-tables";
import type { WriteIntent, WriteJournal, WriteResult } from "../reconcile";
import { decodeRow, flat } from "../tables/entity";
import { resourceKey } from "../tables/keys";
import { parseRunId } from "../tables/run-id";
import { isPreconditionFailed } from "../tables/table-errors";
import { writeRowSchema, type WriteRecord } from "./rows";

/** The run and attempt a journal writes for. */
export interface JournalAttempt {
  serviceId: string;
  runId: string;
  attempt: number;
  /** The generation of the service lease the attempt holds, carried by every row it writes. */
  leaseGeneration?: number;
}

/** `<run row key>-<attempt, 3 digits>-<client request id>`: one run's writes sort together, by attempt. */
export function writeRowKey(runId: string, attempt: number, clientRequestId: string): string {
  const keys = parseRunId(runId);
  if (!keys) throw new Error(`not a run id: ${runId}`);
  return `${runPrefix(keys.rowKey)}${String(attempt).padStart(3, "0")}-${clientRequestId}`;
}

const runPrefix = (runRowKey: string): string => `${runRowKey}-`;

/**
 * The Writes table as the engine's journal for one attempt of one run.
 * `guard` runs before and after every intent, that is right before every ARM
 * write: it throws when the attempt may no longer write (its lease was lost),
 * so the write does not happen. Completing a write already sent is not guarded:
 * what ARM answered is recorded whoever holds the lease now.
 */
export function tableWriteJournal(
  table: TableClient,
  at: JournalAttempt,
  now: () => Date = () => new Date(),
  guard: () => void = () => undefined,
): WriteJournal {
  const partitionKey = resourceKey(at.serviceId);
  return {
    async intend(intent: WriteIntent): Promise<void> {
      guard();
      await table.createEntity(
        flat(
          { partitionKey, rowKey: writeRowKey(at.runId, at.attempt, intent.clientRequestId) },
          {
            serviceId: at.serviceId,
            runId: at.runId,
            attempt: at.attempt,
            ...intent,
            intendedAt: now().toISOString(),
            status: "intended",
            ...(at.leaseGeneration !== undefined ? { leaseGeneration: at.leaseGeneration } : {}),
          },
        ),
      );
      // Once more as the write is about to leave: the row may have taken long enough for the lease to go.
      // The intent then stays open, and the next holder resolves it by reading ARM.
      guard();
    },
    fence: guard,
    async unanswered(clientRequestId: string, error: { errorCode?: string; error: string }): Promise<void> {
      await table.updateEntity(
        flat(
          { partitionKey, rowKey: writeRowKey(at.runId, at.attempt, clientRequestId) },
          { ...error, unansweredAt: now().toISOString() },
        ),
        "Merge",
      );
    },
    async complete(clientRequestId: string, result: WriteResult): Promise<void> {
      await table.updateEntity(
        flat(
          { partitionKey, rowKey: writeRowKey(at.runId, at.attempt, clientRequestId) },
          { ...result, finishedAt: now().toISOString() },
        ),
        "Merge",
      );
    },
  };
}

export interface StoredWrite extends WriteRecord {
  rowKey: string;
  etag: string;
}

async function query(table: TableClient, filter: string): Promise<StoredWrite[]> {
  const out: StoredWrite[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const row = decodeRow(writeRowSchema, e);
    if (row) out.push({ ...row, rowKey: String(e.rowKey), etag: String(e.etag) });
  }
  return out;
}

/** Every journal entry of one run (all attempts), in attempt order. */
export function listRunWrites(table: TableClient, runId: string): Promise<StoredWrite[]> {
  const keys = parseRunId(runId);
  if (!keys) return Promise.resolve([]);
  const prefix = runPrefix(keys.rowKey);
  // Row keys of one run share the prefix; '.' sorts right after '-'.
  return query(
    table,
    odata`PartitionKey eq ${keys.partitionKey} and RowKey ge ${prefix} and RowKey lt ${`${keys.rowKey}.`}`,
  );
}

/** Intents of a service whose outcome no attempt recorded (left by an attempt that was killed mid-write). */
export function listUnresolvedIntents(table: TableClient, serviceId: string): Promise<StoredWrite[]> {
  return query(table, odata`PartitionKey eq ${resourceKey(serviceId)} and status eq 'intended'`);
}

/**
 * Records how a later run resolved an interrupted intent: only an intent of
 * an older lease generation than the resolver's, and only as it was read
 * (ETag): false when its writer completed it in the meantime, or when it is
 * not the resolver's to resolve.
 */
export async function resolveIntent(
  table: TableClient,
  write: Pick<StoredWrite, "serviceId" | "rowKey" | "etag" | "leaseGeneration">,
  resolution: { status: "applied" | "notApplied"; resolvedBy: string; generation: number; finishedAt: Date },
): Promise<boolean> {
  if ((write.leaseGeneration ?? 0) >= resolution.generation) return false;
  try {
    await table.updateEntity(
      flat(
        { partitionKey: resourceKey(write.serviceId), rowKey: write.rowKey },
        {
          status: resolution.status,
          resolvedBy: resolution.resolvedBy,
          resolvedByGeneration: resolution.generation,
          finishedAt: resolution.finishedAt.toISOString(),
        },
      ),
      "Merge",
      { etag: write.etag },
    );
    return true;
  } catch (error) {
    if (isPreconditionFailed(error)) return false;
    throw error;
  }
}

/**
 * Writes an earlier attempt announced but never completed (it was killed
 * between the intent and the answer, or lost its lease), each resolved by
 * asking `tookEffect` (a read of ARM) and recorded as applied or notApplied,
 * `resolvedBy` this attempt. Only intents of an older lease generation than
 * the resolver's are resolved, each as it was read (its writer may complete
 * it meanwhile); `guard` runs before each resolution is written and throws
 * when the resolver lost its own lease. One table query when there are none.
 *
 * ARM shows a write's effect, not who made it, so an intent is resolved by
 * its effect only when no other write of ours can have made that effect:
 * - An intent stored after a newer lease generation had begun writing (a
 *   journal row of a newer generation exists, yet that holder, which resolves
 *   every open intent before its first write, did not see this one) was stored
 *   by a writer whose lease had run out; the check it makes right after
 *   storing an intent stopped the write. It is notApplied, whatever ARM shows.
 * - A write not in effect whose intent is newer than `notAppliedOnlyBefore`,
 *   and whose writer did not live to see its call end, may still be on its
 *   way (sent just before its writer stopped): it is left open and returned,
 *   and the caller writes nothing until it has landed or can no longer land.
 */
export async function resolveInterruptedWrites(
  table: TableClient,
  serviceId: string,
  resolution: IntentResolution & { notAppliedOnlyBefore: Date },
  onResolved: (write: StoredWrite, outcome: ResolutionOutcome) => void,
): Promise<StoredWrite[]> {
  const inFlight: StoredWrite[] = [];
  for (const listed of await listUnresolvedIntents(table, serviceId)) {
    if ((listed.leaseGeneration ?? 0) >= resolution.generation) {
      onResolved(listed, "notOlder");
      continue;
    }
    let write: StoredWrite | undefined = listed;
    // The writer may mark its own open row unanswered meanwhile (its call just ended): then it is resolved again.
    for (let look = 0; write?.status === "intended"; look++) {
      const neverSent = await storedAfterTakeover(table, write);
      const applied = !neverSent && (await resolution.tookEffect(write));
      const mayBeOnItsWay =
        !neverSent &&
        write.unansweredAt === undefined &&
        Date.parse(write.intendedAt) >= resolution.notAppliedOnlyBefore.getTime();
      if ((!applied && mayBeOnItsWay) || look === 2) {
        inFlight.push(write);
        onResolved(write, "mayBeInFlight");
        break;
      }
      if (await settleIntent(table, write, applied, resolution, onResolved)) break;
      write = await readWrite(table, write);
    }
  }
  return inFlight;
}

/** Whether a journal row of a newer lease generation than the intent's exists for its service. */
async function storedAfterTakeover(table: TableClient, write: StoredWrite): Promise<boolean> {
  // A row written before leases had generations says nothing about when it was stored.
  if (write.leaseGeneration === undefined) return false;
  const pages = table
    .listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${resourceKey(write.serviceId)} and leaseGeneration gt ${write.leaseGeneration}`,
        select: ["RowKey"],
      },
    })
    .byPage({ maxPageSize: 1 });
  const first = await pages.next();
  return !first.done && first.value.length > 0;
}

async function readWrite(table: TableClient, write: StoredWrite): Promise<StoredWrite | undefined> {
  const rows = await query(table, odata`PartitionKey eq ${resourceKey(write.serviceId)} and RowKey eq ${write.rowKey}`);
  return rows[0];
}

export interface IntentResolution {
  resolvedBy: string;
  generation: number;
  now(): Date;
  tookEffect(write: StoredWrite): Promise<boolean>;
  guard(): void;
}

export type ResolutionOutcome = "applied" | "notApplied" | "completedByWriter" | "notOlder" | "mayBeInFlight";

/** Writes the resolution; false when the row changed since it was read (its writer completed it meanwhile). */
async function settleIntent(
  table: TableClient,
  write: StoredWrite,
  applied: boolean,
  resolution: IntentResolution,
  onResolved: (write: StoredWrite, outcome: ResolutionOutcome) => void,
): Promise<boolean> {
  resolution.guard();
  const status = applied ? "applied" : "notApplied";
  const resolved = await resolveIntent(table, write, {
    status,
    resolvedBy: resolution.resolvedBy,
    generation: resolution.generation,
    finishedAt: resolution.now(),
  });
  onResolved(write, resolved ? status : "completedByWriter");
  return resolved;
}
