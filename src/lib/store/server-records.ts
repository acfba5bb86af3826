import type { TableClient } from "@azure/data-tables";
import type { ServerState } from "../reconcile/report";
import { serverFromEntity } from "./entities";
import { odataString, resourceKey, serverKey } from "../tables/keys";
import type { ServerRecord } from "./rows";
import { isNotFound } from "../tables/table-errors";

export interface StoredServer {
  record: ServerRecord;
  etag: string;
}

export async function listServerRows(table: TableClient, serviceId: string): Promise<StoredServer[]> {
  const out: StoredServer[] = [];
  const filter = `PartitionKey eq ${odataString(resourceKey(serviceId))}`;
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const record = serverFromEntity(e);
    if (record) out.push({ record, etag: e.etag });
  }
  return out;
}

export async function getServerRow(table: TableClient, serviceId: string, serverId: string): Promise<StoredServer | undefined> {
  try {
    const e = await table.getEntity<Record<string, unknown>>(resourceKey(serviceId), serverKey(serverId));
    const record = serverFromEntity(e);
    return record ? { record, etag: e.etag } : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Servers in one state across every service (a filtered scan; for the status API). */
export async function listServerRowsByState(table: TableClient, state: ServerState, limit = 1000): Promise<ServerRecord[]> {
  const out: ServerRecord[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `state eq ${odataString(state)}` } })) {
    const record = serverFromEntity(e);
    if (record) out.push(record);
    if (out.length >= limit) break;
  }
  return out;
}

/** Servers that use (or will use) a principal: how a machine event finds "its" servers once the agent reported. */
export async function listServerRowsByPrincipal(table: TableClient, principalId: string): Promise<ServerRecord[]> {
  const out: ServerRecord[] = [];
  // Stored lower-cased (see mergeServerRecord).
  const filter = `principalId eq ${odataString(principalId.toLowerCase())}`;
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const record = serverFromEntity(e);
    if (record) out.push(record);
  }
  return out;
}

/** Every stored server (used to match a machine by host name before its principal is known). */
export async function listAllServerRows(table: TableClient): Promise<ServerRecord[]> {
  const out: ServerRecord[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>()) {
    const record = serverFromEntity(e);
    if (record) out.push(record);
  }
  return out;
}
