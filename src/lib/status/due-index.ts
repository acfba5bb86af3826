import type { TableClient } from "@azure/data-tables";
import { flat } from "../tables/entity";
import { odataString, resourceKey, serverKey } from "../tables/keys";
import { isNotFound } from "../tables/table-errors";
import { decodeRow } from "../tables/entity";
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

export async function addDueEntry(table: TableClient, entry: DueEntry): Promise<void> {
  const keys = { partitionKey: dueBucket(new Date(entry.dueAt)), rowKey: `${resourceKey(entry.serviceId)}_${serverKey(entry.serverId)}` };
  await table.upsertEntity(flat(keys, { ...entry }), "Replace");
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

export async function removeDueEntry(table: TableClient, entry: { partitionKey: string; rowKey: string }): Promise<void> {
  try {
    await table.deleteEntity(entry.partitionKey, entry.rowKey);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
