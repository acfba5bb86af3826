import type { TableClient } from "@azure/data-tables";
import { flat } from "../status/entities";
import { fromJsonColumns, toJsonColumns } from "../status/json-columns";
import { resourceKey } from "../status/keys";
import { isConflict, isNotFound, isPreconditionFailed } from "../status/table-errors";
import type { Trigger } from "./messages";

/**
 * Coalescing: while a reconcile for a service waits in the queue, a marker row
 * names its run. Further requests for that service are merged into the marker
 * (their triggers kept for the audit trail) instead of queuing another full
 * reconcile. The worker removes the marker when it starts the run, so a
 * request arriving during a run still gets a run of its own afterwards.
 */
const ROW = "pending";
const MAX_MERGED = 50;

export interface PendingMarker {
  serviceId: string;
  runId: string;
  createdAt: string;
  /** When the queued message becomes visible. */
  dueAt: string;
  mergedTriggers: Trigger[];
  mergedCount: number;
}

type MarkerResult = { created: true } | { created: false; runId: string };

function toEntity(m: PendingMarker) {
  return flat(
    { partitionKey: resourceKey(m.serviceId), rowKey: ROW },
    { serviceId: m.serviceId, runId: m.runId, createdAt: m.createdAt, dueAt: m.dueAt, mergedCount: m.mergedCount, ...toJsonColumns("mergedTriggers", m.mergedTriggers) },
  );
}

function fromEntity(e: Record<string, unknown>): PendingMarker | undefined {
  if (typeof e.serviceId !== "string" || typeof e.runId !== "string" || typeof e.dueAt !== "string") return undefined;
  const merged = fromJsonColumns(e, "mergedTriggers");
  return {
    serviceId: e.serviceId,
    runId: e.runId,
    createdAt: String(e.createdAt ?? ""),
    dueAt: e.dueAt,
    mergedTriggers: Array.isArray(merged) ? (merged as Trigger[]) : [],
    mergedCount: typeof e.mergedCount === "number" ? e.mergedCount : 0,
  };
}

/**
 * Creates the marker for a new run, or merges the trigger into the marker of
 * the run already waiting. A marker whose run should long have started
 * (`staleAfterMs` past its due time: the message was lost) is replaced.
 */
export async function createOrMergePending(
  table: TableClient,
  fresh: PendingMarker,
  trigger: Trigger,
  staleAfterMs: number,
  now: Date,
): Promise<MarkerResult> {
  const partitionKey = resourceKey(fresh.serviceId);
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await table.createEntity(toEntity(fresh));
      return { created: true };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    let current: Record<string, unknown> & { etag: string };
    try {
      current = await table.getEntity<Record<string, unknown>>(partitionKey, ROW);
    } catch (error) {
      if (isNotFound(error)) continue;
      throw error;
    }
    const marker = fromEntity(current);
    try {
      if (!marker || new Date(marker.dueAt).getTime() + staleAfterMs < now.getTime()) {
        await table.updateEntity(toEntity(fresh), "Replace", { etag: current.etag });
        return { created: true };
      }
      const merged: PendingMarker = {
        ...marker,
        mergedTriggers: [...marker.mergedTriggers, trigger].slice(-MAX_MERGED),
        mergedCount: marker.mergedCount + 1,
      };
      await table.updateEntity(toEntity(merged), "Replace", { etag: current.etag });
      return { created: false, runId: marker.runId };
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) continue;
      throw error;
    }
  }
  throw new Error(`could not queue a reconcile for ${fresh.serviceId}: the pending marker keeps changing`);
}

/**
 * Called by the worker as the run starts: removes the marker if it belongs to
 * this run and returns the triggers merged into it. A marker of another run is
 * left alone.
 */
export async function takePending(table: TableClient, serviceId: string, runId: string): Promise<{ mergedTriggers: Trigger[]; mergedCount: number }> {
  const partitionKey = resourceKey(serviceId);
  for (let attempt = 0; attempt < 10; attempt++) {
    let current: Record<string, unknown> & { etag: string };
    try {
      current = await table.getEntity<Record<string, unknown>>(partitionKey, ROW);
    } catch (error) {
      if (isNotFound(error)) return { mergedTriggers: [], mergedCount: 0 };
      throw error;
    }
    const marker = fromEntity(current);
    if (!marker || marker.runId !== runId) return { mergedTriggers: [], mergedCount: 0 };
    try {
      await table.deleteEntity(partitionKey, ROW, { etag: current.etag });
      return { mergedTriggers: marker.mergedTriggers, mergedCount: marker.mergedCount };
    } catch (error) {
      if (isPreconditionFailed(error)) continue; // a merge landed between read and delete
      if (isNotFound(error)) return { mergedTriggers: [], mergedCount: 0 };
      throw error;
    }
  }
  throw new Error(`could not take the pending marker of ${serviceId}`);
}

export async function getPending(table: TableClient, serviceId: string): Promise<PendingMarker | undefined> {
  try {
    return fromEntity(await table.getEntity<Record<string, unknown>>(resourceKey(serviceId), ROW));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
