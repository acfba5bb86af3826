import { odata, type TableClient } from "@azure/data-tables";
import type { StoreTables } from "../tables/clients";
import { decodeRow, flat, type FlatEntity } from "../tables/entity";
import { resourceKey } from "../tables/keys";
import { emptyCounts } from "./records";
import { SERVICE_JSON_COLUMNS, serviceRowSchema, type RunStatus, type ServiceRecord } from "./rows";
import { isConflict, isNotFound, isPreconditionFailed } from "../tables/table-errors";

/**
 * A Storage Sync Service's row in the services table (partition "service",
 * row: its id): counts, warnings, its last run, poisoning and deletion. The
 * one module that reads and writes it; every write is a read-modify-write
 * under the row's ETag.
 */

const SERVICE_PARTITION = "service";

function serviceToEntity(r: ServiceRecord): FlatEntity {
  const { counts, warnings, roleAssignmentQuotas, ...rest } = r;
  return flat(
    { partitionKey: SERVICE_PARTITION, rowKey: resourceKey(r.serviceId) },
    {
      ...rest,
      counts: JSON.stringify(counts),
      warnings: JSON.stringify(warnings.slice(0, 20)),
      ...(roleAssignmentQuotas ? { roleAssignmentQuotas: JSON.stringify(roleAssignmentQuotas.slice(0, 20)) } : {}),
    },
  );
}

function serviceFromEntity(e: Record<string, unknown>): ServiceRecord | undefined {
  return decodeRow(serviceRowSchema, e, SERVICE_JSON_COLUMNS);
}

function newServiceRecord(serviceId: string, now: Date): ServiceRecord {
  return { serviceId, counts: emptyCounts(), warnings: [], updatedAt: now.toISOString() };
}

export async function getServiceRow(
  table: TableClient,
  serviceId: string,
): Promise<{ record: ServiceRecord; etag: string } | undefined> {
  try {
    const e = await table.getEntity<Record<string, unknown>>(SERVICE_PARTITION, resourceKey(serviceId));
    const record = serviceFromEntity(e);
    return record ? { record, etag: e.etag } : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Read-modify-write of a service row under its ETag: a concurrent writer (the
 * activation check, another run) makes us read again rather than overwrite.
 */
export async function updateServiceRow(
  table: TableClient,
  serviceId: string,
  mutate: (previous: ServiceRecord) => ServiceRecord,
  now: Date = new Date(),
): Promise<ServiceRecord> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await getServiceRow(table, serviceId);
    const next = {
      ...mutate(current?.record ?? newServiceRecord(serviceId, now)),
      serviceId,
      updatedAt: now.toISOString(),
    };
    try {
      if (current) await table.updateEntity(serviceToEntity(next), "Replace", { etag: current.etag });
      else await table.createEntity(serviceToEntity(next));
      return next;
    } catch (error) {
      if (isPreconditionFailed(error) || isConflict(error) || isNotFound(error)) continue;
      throw error;
    }
  }
  throw new Error(`could not update the status of ${serviceId}: too many concurrent writers`);
}

export async function listServiceRows(table: TableClient): Promise<ServiceRecord[]> {
  const out: ServiceRecord[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq '${SERVICE_PARTITION}'` },
  })) {
    const r = serviceFromEntity(e);
    if (r) out.push(r);
  }
  return out.sort((a, b) => a.serviceId.localeCompare(b.serviceId));
}

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
        ? {
            lastRunId: mark.lastRun.runId,
            lastRunAt: now.toISOString(),
            lastRunStatus: mark.lastRun.status,
            lastError: mark.lastRun.error,
          }
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
  // Row keys are `<service key>_<server key>` in every bucket (due-index.ts): a key-range scan finds them whatever the
  // id's case.
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

/** A run's terminal or last attempt failed: the service row says so, and a poisoned run also why it was given up. */
export async function recordRunFailure(
  table: TableClient,
  serviceId: string,
  failure: { runId: string; status: "failed" | "poisoned"; message: string; attempts: number },
  now: Date,
): Promise<void> {
  await updateServiceRow(
    table,
    serviceId,
    (previous) => ({
      ...previous,
      lastRunId: failure.runId,
      lastRunAt: now.toISOString(),
      lastRunStatus: failure.status,
      lastError: failure.message,
      ...(failure.status === "poisoned"
        ? {
            poisonedAt: now.toISOString(),
            poisonedRunId: failure.runId,
            poisonReason: `gave up after ${failure.attempts} attempts: ${failure.message}`,
          }
        : {}),
    }),
    now,
  );
}
