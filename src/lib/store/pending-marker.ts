import type { TableClient, TransactionAction } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { flat } from "../tables/entity";
import { fromJsonColumns, toJsonColumns } from "../tables/json-columns";
import { odataString, resourceKey } from "../tables/keys";
import { isConflict, isNotFound, isPreconditionFailed } from "../tables/table-errors";
import type { Trigger } from "../queue/messages";
import { decodeRow } from "../tables/entity";
import { pendingRowSchema, type PendingMarker } from "./rows";
import { PartitionBatcher } from "./trigger-batcher";

/**
 * Coalescing: while a reconcile for a service waits in the queue, a marker row
 * names its run. A further request for that service adds one small row with
 * its trigger next to the marker (kept for the audit trail) instead of
 * queuing another full reconcile. Adding a row never conflicts, so a burst of
 * any size is absorbed without optimistic-concurrency retries. The worker
 * removes the marker when it starts the run: a request arriving during the run
 * still gets a run of its own afterwards.
 */
const MARKER = "pending";
const triggerPrefix = (runId: string) => `t-${runId}-`;

/**
 * `replaced`: the marker found in place could not be trusted (unreadable or implausible) and this request replaced it.
 */
type MarkerResult = { created: true; replaced?: string } | { created: false; runId: string };

/**
 * The longest a queue message can be hidden (Azure Queue Storage's visibilitytimeout maximum, 7 days): no run is due
 * later.
 */
const MAX_DUE_MS = 7 * 24 * 60 * 60_000;

/** Why a marker row cannot be trusted, or undefined when it can. */
function distrust(marker: PendingMarker | undefined, at: number): string | undefined {
  if (!marker) return "it is not a pending marker row";
  const dueAt = Date.parse(marker.dueAt);
  if (Number.isNaN(dueAt)) return `its dueAt ${JSON.stringify(marker.dueAt.slice(0, 60))} is not a time`;
  if (dueAt > at + MAX_DUE_MS)
    return `its dueAt ${marker.dueAt} is more than 7 days ahead, later than any queued message can be due`;
  if (marker.queuedAt === undefined && Number.isNaN(Date.parse(marker.createdAt))) {
    return `it was never marked sent and its createdAt ${JSON.stringify(marker.createdAt.slice(0, 60))} is not a time`;
  }
  return undefined;
}

/**
 * How long a marker whose message is not on the queue yet is waited for. Its
 * creator records the run and sends the message within milliseconds; a marker
 * still unsent after this was left by a request that died in between (a host
 * killed mid-request), and is replaced instead of absorbing requests into a
 * run that will never happen.
 */
export const UNSENT_MARKER_GRACE_MS = 10_000;
const UNSENT_POLL_MS = 200;

function toEntity(m: PendingMarker) {
  return flat(
    { partitionKey: resourceKey(m.serviceId), rowKey: MARKER },
    { serviceId: m.serviceId, runId: m.runId, createdAt: m.createdAt, dueAt: m.dueAt },
  );
}

function fromEntity(e: Record<string, unknown>): PendingMarker | undefined {
  return decodeRow(pendingRowSchema, e);
}

/**
 * Creates the marker for a new run, or records the trigger against the run
 * already waiting. A marker whose run should long have started (`staleAfterMs`
 * past its due time: its message was lost) is replaced.
 */
export async function createOrMergePending(
  table: TableClient,
  fresh: PendingMarker,
  trigger: Trigger,
  staleAfterMs: number,
  now: Date,
  unsentGraceMs: number = UNSENT_MARKER_GRACE_MS,
): Promise<MarkerResult> {
  const partitionKey = resourceKey(fresh.serviceId);
  const local = localStateOf(table);
  // Requests arriving together (one Event Grid delivery) wait for the first one's look at the marker
  // and then merge by it, instead of each trying to create the marker and reading it.
  for (;;) {
    const known = local.known.get(partitionKey);
    if (known && safelyAhead(known, now.getTime())) return mergeInto(table, partitionKey, known.runId, trigger, now);
    const inflight = local.probes.get(partitionKey);
    if (!inflight) break;
    await inflight.catch(() => undefined);
  }
  const probe = probeMarker(table, fresh, trigger, staleAfterMs, now, unsentGraceMs);
  local.probes.set(partitionKey, probe);
  try {
    return await probe;
  } finally {
    if (local.probes.get(partitionKey) === probe) local.probes.delete(partitionKey);
  }
}

/**
 * How far ahead of now a sent marker's due time must be for this process to
 * merge into it from memory. Its run cannot start before its message becomes
 * visible at dueAt, so nothing can have taken or replaced the marker since;
 * the margin covers the clocks of two instances disagreeing.
 */
const SAFE_AHEAD_MS = 5_000;

interface KnownMarker {
  runId: string;
  dueAtMs: number;
}

function safelyAhead(known: KnownMarker, nowMs: number): boolean {
  return known.dueAtMs - nowMs > SAFE_AHEAD_MS;
}

/**
 * Per table client: the sent markers this process has seen, the looks at a marker in flight, the group commit of merged
 * triggers.
 */
interface LocalState {
  known: Map<string, KnownMarker>;
  probes: Map<string, Promise<MarkerResult>>;
  batcher: PartitionBatcher;
}
const localStates = new WeakMap<TableClient, LocalState>();

function localStateOf(table: TableClient): LocalState {
  let state = localStates.get(table);
  if (!state) {
    state = { known: new Map(), probes: new Map(), batcher: new PartitionBatcher(table) };
    localStates.set(table, state);
  }
  return state;
}

/**
 * Records the trigger against the run waiting for the service (one small row; rows arriving together share a
 * transaction).
 */
async function mergeInto(
  table: TableClient,
  partitionKey: string,
  runId: string,
  trigger: Trigger,
  now: Date,
): Promise<MarkerResult> {
  const rowKey = `${triggerPrefix(runId)}${randomBytes(6).toString("hex")}`;
  await localStateOf(table).batcher.add(
    flat({ partitionKey, rowKey }, { runId, mergedAt: now.toISOString(), ...toJsonColumns("trigger", trigger) }),
  );
  return { created: false, runId };
}

/**
 * Creates the marker, or reads the one in place and merges into it, replacing it when it cannot be trusted or has gone
 * stale.
 */
async function probeMarker(
  table: TableClient,
  fresh: PendingMarker,
  trigger: Trigger,
  staleAfterMs: number,
  now: Date,
  unsentGraceMs: number,
): Promise<MarkerResult> {
  const partitionKey = resourceKey(fresh.serviceId);
  let waitedMs = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await table.createEntity(toEntity(fresh));
      return { created: true };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    let current: Record<string, unknown> & { etag: string };
    try {
      current = await table.getEntity<Record<string, unknown>>(partitionKey, MARKER);
    } catch (error) {
      if (isNotFound(error)) continue; // the run just started; try to create a new marker
      throw error;
    }
    const marker = fromEntity(current);
    const at = now.getTime() + waitedMs;
    const problem = distrust(marker, at);
    const unsent = marker !== undefined && marker.queuedAt === undefined;
    const abandoned = unsent && Date.parse(marker.createdAt) + unsentGraceMs < at;
    if (!marker || problem || abandoned || Date.parse(marker.dueAt) + staleAfterMs < at) {
      try {
        await table.updateEntity(toEntity(fresh), "Replace", { etag: current.etag });
        return problem
          ? { created: true, replaced: `the pending marker of ${fresh.serviceId} was replaced: ${problem}` }
          : { created: true };
      } catch (error) {
        if (isPreconditionFailed(error) || isNotFound(error)) continue;
        throw error;
      }
    }
    if (unsent) {
      // Its creator is between the marker and the message: merge only once the message is sent.
      await sleep(UNSENT_POLL_MS);
      waitedMs += UNSENT_POLL_MS;
      attempt--;
      continue;
    }
    localStateOf(table).known.set(partitionKey, { runId: marker.runId, dueAtMs: Date.parse(marker.dueAt) });
    return mergeInto(table, partitionKey, marker.runId, trigger, now);
  }
  throw new Error(`could not queue a reconcile for ${fresh.serviceId}: the pending marker keeps changing`);
}

/** Marks the run's marker as sent (its message is on the queue), so requests may merge into it. */
export async function markPendingQueued(
  table: TableClient,
  serviceId: string,
  runId: string,
  now: Date,
): Promise<void> {
  const partitionKey = resourceKey(serviceId);
  try {
    const current = await table.getEntity<Record<string, unknown>>(partitionKey, MARKER);
    if (fromEntity(current)?.runId !== runId) return;
    await table.updateEntity({ partitionKey, rowKey: MARKER, queuedAt: now.toISOString() }, "Merge", {
      etag: current.etag,
    });
    const marker = fromEntity(current);
    if (marker) localStateOf(table).known.set(partitionKey, { runId, dueAtMs: Date.parse(marker.dueAt) });
  } catch (error) {
    // Taken by the worker already, or replaced: nothing waits on this marker any more.
    if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
  }
}

/** Reads and removes the triggers merged into a run (one partition range scan, batched deletes). */
export async function takeMergedTriggers(table: TableClient, serviceId: string, runId: string): Promise<Trigger[]> {
  const partitionKey = resourceKey(serviceId);
  const prefix = triggerPrefix(runId);
  const filter = `PartitionKey eq ${odataString(partitionKey)} and RowKey ge ${odataString(prefix)} and RowKey lt ${odataString(`${prefix.slice(0, -1)}.`)}`;
  const triggers: Trigger[] = [];
  const deletes: TransactionAction[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const trigger = fromJsonColumns(e, "trigger");
    if (trigger && typeof trigger === "object") triggers.push(trigger as Trigger);
    deletes.push(["delete", { partitionKey, rowKey: String(e.rowKey) }]);
  }
  for (let i = 0; i < deletes.length; i += 100) await table.submitTransaction(deletes.slice(i, i + 100));
  return triggers;
}

/**
 * Called by the worker as the run starts: removes the marker if it belongs to
 * this run and returns the triggers merged into it so far. A marker of another
 * run is left alone.
 */
export async function takePending(
  table: TableClient,
  serviceId: string,
  runId: string,
): Promise<{ mergedTriggers: Trigger[]; mergedCount: number }> {
  const partitionKey = resourceKey(serviceId);
  localStateOf(table).known.delete(partitionKey);
  try {
    const current = await table.getEntity<Record<string, unknown>>(partitionKey, MARKER);
    if (fromEntity(current)?.runId === runId) await table.deleteEntity(partitionKey, MARKER, { etag: current.etag });
  } catch (error) {
    // Gone or replaced (stale) meanwhile: either way it is no longer ours.
    if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
  }
  const mergedTriggers = await takeMergedTriggers(table, serviceId, runId);
  return { mergedTriggers, mergedCount: mergedTriggers.length };
}

export async function getPending(table: TableClient, serviceId: string): Promise<PendingMarker | undefined> {
  try {
    return fromEntity(await table.getEntity<Record<string, unknown>>(resourceKey(serviceId), MARKER));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
