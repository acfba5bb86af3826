import type { TableClient } from "@azure/data-tables";
import { deleteRun, recordRunQueued, createOrMergePending, markPendingQueued } from "../store";
import { newRunId } from "../tables/run-id";
import { resourceKey } from "../tables/keys";
import type { DiscoveryWatch, ReconcileRequest, Trigger } from "../queue/messages";
import type { ReconcileQueue } from "../queue/reconcile-queue";
import { silentLog, type AppLog } from "../ports/log";

export interface SchedulerDeps {
  queue: ReconcileQueue;
  pending: TableClient;
  runs: TableClient;
  coalesceDelayMs: number;
  /** How long past its due time a pending marker is trusted (its message may have been lost). */
  staleAfterMs: number;
}

export interface ReconcileAsk {
  serviceId: string;
  trigger: Trigger;
  dryRun?: boolean;
  /** Machines whose identity this run should look for (delayed discovery re-checks). */
  discovery?: DiscoveryWatch[];
  /** Overdue servers whose switch this run sends again (never coalesced: the list would be lost). */
  overdue?: string[];
  /** Only for requests that are not coalesced (discovery re-checks, retries). */
  delayMs?: number;
  /** false: queue as is, with `delayMs` (a retry that must wait its back-off). Default true. */
  coalesce?: boolean;
}

export interface Scheduled {
  serviceId: string;
  runId: string;
  /** True when the request was merged into a run already waiting. */
  coalesced: boolean;
}

/**
 * The one way anything asks for a reconcile. Ordinary requests are coalesced
 * per service (one queued run absorbs a burst); dry runs and discovery
 * re-checks carry their own timing and are queued as they are.
 */
export async function requestReconcile(
  deps: SchedulerDeps,
  ask: ReconcileAsk,
  now: Date = new Date(),
  log: Pick<AppLog, "error"> = silentLog,
): Promise<Scheduled> {
  const dryRun = ask.dryRun ?? false;
  const runId = newRunId(ask.serviceId, now);
  const coalescible = !dryRun && !ask.discovery?.length && !ask.overdue?.length && ask.coalesce !== false;
  const delayMs = coalescible ? deps.coalesceDelayMs : (ask.delayMs ?? 0);
  if (coalescible) {
    const marker = await createOrMergePending(
      deps.pending,
      {
        serviceId: ask.serviceId,
        runId,
        createdAt: now.toISOString(),
        dueAt: new Date(now.getTime() + delayMs).toISOString(),
      },
      ask.trigger,
      deps.staleAfterMs,
      now,
    );
    if (!marker.created) return { serviceId: ask.serviceId, runId: marker.runId, coalesced: true };
    if (marker.replaced) log.error(marker.replaced);
  }
  const request: ReconcileRequest = {
    v: 1,
    kind: "reconcile",
    serviceId: ask.serviceId,
    runId,
    dryRun,
    trigger: ask.trigger,
    requestedAt: now.toISOString(),
    ...(ask.discovery?.length ? { discovery: ask.discovery } : {}),
    ...(ask.overdue?.length ? { overdue: ask.overdue } : {}),
  };
  let recorded = false;
  try {
    await recordRunQueued(deps.runs, { runId, serviceId: ask.serviceId, dryRun, trigger: ask.trigger, queuedAt: now });
    recorded = true;
    await deps.queue.send(request, delayMs);
  } catch (error) {
    // Without its message the marker would swallow every request until it goes stale, and the
    // run's row would say "queued" for ever; the caller gets the error and asks again.
    if (coalescible) await deps.pending.deleteEntity(resourceKey(ask.serviceId), "pending").catch(() => undefined);
    if (recorded) await deleteRun(deps.runs, runId).catch(() => undefined);
    throw error;
  }
  // The run is queued: from now on requests may merge into it. Should this fail, they wait out the
  // marker's grace and queue a run of their own (one run too many, none lost).
  if (coalescible) await markPendingQueued(deps.pending, ask.serviceId, runId, now).catch(() => undefined);
  return { serviceId: ask.serviceId, runId, coalesced: false };
}
