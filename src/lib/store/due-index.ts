import type { TableClient } from "@azure/data-tables";
import { decodeRow, flat } from "../tables/entity";
import { odataString, resourceKey, serverKey } from "../tables/keys";
import { isNotFound } from "../tables/table-errors";
import { dueRowSchema, type DueEntry } from "./rows";

/**
 * Activation checks keyed by when they fall due: partition = the due minute
 * (yyyyMMddHHmm, UTC), so "everything due by now" is one range scan over
 * partitions ≤ the current minute and costs only what is due.
 */
export interface StoredDueEntry extends DueEntry {
  partitionKey: string;
  rowKey: string;
}

export function dueBucket(at: Date): string {
  return at.toISOString().slice(0, 16).replace(/[-T:]/g, "");
}

function dueEntity(entry: DueEntry) {
  const keys = {
    partitionKey: dueBucket(new Date(entry.dueAt)),
    rowKey: `${resourceKey(entry.serviceId)}_${serverKey(entry.serverId)}`,
  };
  return flat(keys, { ...entry });
}

export async function addDueEntry(table: TableClient, entry: DueEntry): Promise<void> {
  await table.upsertEntity(dueEntity(entry), "Replace");
}

/** Table Storage's limit of operations in one entity group transaction. */
const TRANSACTION_LIMIT = 100;

/**
 * Many entries in one go: a run that switches a whole service's servers puts
 * them all in the same due minute, so they are upserted one transaction per
 * due-minute partition (of up to 100) instead of one request each.
 */
export async function addDueEntries(table: TableClient, entries: DueEntry[]): Promise<void> {
  const byPartition = new Map<string, ReturnType<typeof dueEntity>[]>();
  for (const entry of entries) {
    const entity = dueEntity(entry);
    const group = byPartition.get(entity.partitionKey) ?? [];
    // One row per server: a repeated server keeps its last entry, as sequential upserts would.
    const at = group.findIndex((e) => e.rowKey === entity.rowKey);
    if (at >= 0) group[at] = entity;
    else group.push(entity);
    byPartition.set(entity.partitionKey, group);
  }
  await Promise.all(
    [...byPartition.values()].map(async (group) => {
      for (let i = 0; i < group.length; i += TRANSACTION_LIMIT) {
        await table.submitTransaction(
          group.slice(i, i + TRANSACTION_LIMIT).map((e) => ["upsert", e, "Replace"] as const),
        );
      }
    }),
  );
}

export async function listDueEntries(table: TableClient, now: Date, limit = 500): Promise<StoredDueEntry[]> {
  const out: StoredDueEntry[] = [];
  const filter = `PartitionKey le ${odataString(dueBucket(now))}`;
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const entry = decodeRow(dueRowSchema, e);
    if (!entry) continue;
    if (new Date(entry.dueAt).getTime() > now.getTime()) continue; // same minute, a few seconds early
    out.push({ ...entry, partitionKey: String(e.partitionKey), rowKey: String(e.rowKey) });
    if (out.length >= limit) break;
  }
  return out;
}

export async function deleteDueEntry(
  table: TableClient,
  entry: { partitionKey: string; rowKey: string },
): Promise<void> {
  try {
    await table.deleteEntity(entry.partitionKey, entry.rowKey);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
