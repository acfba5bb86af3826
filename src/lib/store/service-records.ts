import type { TableClient } from "@azure/data-tables";
import { SERVICE_PARTITION, serviceFromEntity, serviceToEntity } from "./entities";
import { resourceKey } from "../tables/keys";
import { emptyCounts } from "./records";
import { type ServiceRecord } from "./rows";
import { isConflict, isNotFound, isPreconditionFailed } from "../tables/table-errors";

function newServiceRecord(serviceId: string, now: Date): ServiceRecord {
  return { serviceId, counts: emptyCounts(), warnings: [], updatedAt: now.toISOString() };
}

export async function getServiceRow(table: TableClient, serviceId: string): Promise<{ record: ServiceRecord; etag: string } | undefined> {
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
    const next = { ...mutate(current?.record ?? newServiceRecord(serviceId, now)), serviceId, updatedAt: now.toISOString() };
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
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${SERVICE_PARTITION}'` } })) {
    const r = serviceFromEntity(e);
    if (r) out.push(r);
  }
  return out.sort((a, b) => a.serviceId.localeCompare(b.serviceId));
}
