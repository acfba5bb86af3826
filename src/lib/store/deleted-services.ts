import { odata } from "@azure/data-tables";
import type { StoreTables } from "../tables/clients";
import { resourceKey } from "../tables/keys";
import { isNotFound, isPreconditionFailed } from "../tables/table-errors";
import { serviceToEntity } from "./entities";
import { getServiceRow } from "./service-records";
import type { RunStatus, ServiceRecord } from "./rows";

export interface DeletedServiceMark {
  /** Why the service counts as deleted: ARM's answer, e.g. "ResourceNotFound: …". */
  reason: string;
  /** The run that found out, when a run did (not the sweep). */
  lastRun?: { runId: string; status: RunStatus; error: string };
}

/**
 * Marks the row of a Storage Sync Service ARM says no longer exists: `deletedAt`
 * is set (the first time only) and its activation checks are dropped. A service
 * that never had a row gets none: a request for a service that does not exist
 * must not leave a status row behind. Returns whether a row was marked.
 */
export async function markServiceDeleted(
  tables: Pick<StoreTables, "services" | "due">,
  serviceId: string,
  mark: DeletedServiceMark,
  now: Date,
): Promise<boolean> {
  let marked = false;
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await getServiceRow(tables.services, serviceId);
    if (!current) break;
    const next: ServiceRecord = {
      ...current.record,
      deletedAt: current.record.deletedAt ?? now.toISOString(),
      deletedReason: mark.reason.slice(0, 1000),
      converged: undefined,
      updatedAt: now.toISOString(),
      ...(mark.lastRun
        ? { lastRunId: mark.lastRun.runId, lastRunAt: now.toISOString(), lastRunStatus: mark.lastRun.status, lastError: mark.lastRun.error }
        : {}),
    };
    try {
      await tables.services.updateEntity(serviceToEntity(next), "Replace", { etag: current.etag });
      marked = true;
      break;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) continue;
      throw error;
    }
  }
  await dropActivationChecks(tables, serviceId);
  return marked;
}

/** Activation checks of the service's servers: nothing left to check once the service is deleted. */
async function dropActivationChecks(tables: Pick<StoreTables, "due">, serviceId: string): Promise<void> {
  // Row keys are `<service key>_<server key>` in every bucket (due-index.ts): a key-range scan finds them whatever the id's case.
  const prefix = `${resourceKey(serviceId)}_`;
  const filter = odata`RowKey ge ${prefix} and RowKey lt ${`${resourceKey(serviceId)}\u0060`}`;
  for await (const e of tables.due.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    try {
      await tables.due.deleteEntity(String(e.partitionKey), String(e.rowKey));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
