import type { TableClient } from "@azure/data-tables";
import { odataString, resourceKey, serverKey } from "../tables/keys";
import { decodeRow, flat, type FlatEntity } from "../tables/entity";
import { sameGuid } from "../azure";
import type { ServerState, ServerVerdict } from "../reconcile";
import { serverRowSchema, type ServerRecord } from "./rows";
import { isNotFound } from "../tables/table-errors";

/**
 * A registered server's row in the servers table (partition: its service,
 * row: its server id): what a run found and decided for it, merged with what
 * earlier runs and activation checks learned. The one module that reads and
 * writes it.
 */
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

export async function getServerRow(
  table: TableClient,
  serviceId: string,
  serverId: string,
): Promise<StoredServer | undefined> {
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
export async function listServerRowsByState(
  table: TableClient,
  state: ServerState,
  limit = 1000,
): Promise<ServerRecord[]> {
  const out: ServerRecord[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `state eq ${odataString(state)}` },
  })) {
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

export function serverToEntity(r: ServerRecord): FlatEntity {
  return flat({ partitionKey: resourceKey(r.serviceId), rowKey: serverKey(r.serverId) }, { ...r });
}

export function serverFromEntity(e: Record<string, unknown>): ServerRecord | undefined {
  return decodeRow(serverRowSchema, e);
}

export interface MergeContext {
  serviceId: string;
  runId: string;
  now: Date;
  activationWindowMs: number;
}

export interface MergedServer {
  record: ServerRecord;
  /** Set when the activation check must look at this server at that time. */
  activationDueAt?: string;
}

/**
 * Folds one run's verdict on a server into what the table already knew. The
 * engine sees only ARM's present; the record keeps the history ARM forgets:
 * when the switch happened, when the window ends, whether the activation check
 * already found it overdue and already re-ran once. Pure.
 */
export function mergeServerRecord(
  previous: ServerRecord | undefined,
  verdict: ServerVerdict,
  ctx: MergeContext,
): MergedServer {
  const now = ctx.now.toISOString();
  const dueAt = new Date(ctx.now.getTime() + ctx.activationWindowMs).toISOString();
  // A new principal (Arc identity reset, re-registration) starts the story over.
  const history =
    previous && (previous.principalId === undefined || sameGuid(previous.principalId, verdict.principalId))
      ? previous
      : undefined;
  const record: ServerRecord = {
    serviceId: ctx.serviceId,
    serverId: verdict.serverId.toLowerCase(),
    resourceId: verdict.resourceId,
    name: verdict.name,
    serverRole: verdict.serverRole,
    agentVersion: verdict.agentVersion,
    principalId: verdict.principalId?.toLowerCase(),
    activeAuthType: verdict.activeAuthType,
    ...(verdict.registeredWith ? { registeredWith: verdict.registeredWith } : {}),
    state: verdict.state,
    reason: verdict.reason,
    errorCode: verdict.error?.code,
    errorMessage: verdict.error?.message,
    errorStatusCode: verdict.error?.statusCode,
    errorRequestId: verdict.error?.requestId,
    remedy: verdict.remedy,
    eligibleAt: history?.eligibleAt,
    switchedAt: history?.switchedAt,
    activationDueAt: history?.activationDueAt,
    activeAt: history?.activeAt,
    overdueAt: history?.overdueAt,
    lastCheckedAt: now,
    lastRunId: ctx.runId,
    switchAttempts: (history?.switchAttempts ?? 0) + (verdict.switchedThisRun ? 1 : 0),
    autoReruns: history?.autoReruns ?? 0,
  };

  if (verdict.switchedThisRun) {
    return {
      record: {
        ...record,
        state: "Switched",
        switchedAt: now,
        activationDueAt: dueAt,
        overdueAt: undefined,
        activeAt: undefined,
      },
      activationDueAt: dueAt,
    };
  }
  switch (verdict.state) {
    case "Switched":
      if (history?.state === "ActivationOverdue") {
        // The engine cannot tell "waiting" from "overdue"; the activation check already did.
        return {
          record: {
            ...record,
            state: "ActivationOverdue",
            reason: history.reason,
            remedy: history.remedy ?? record.remedy,
          },
        };
      }
      if (history?.state === "Switched" && history.activationDueAt) return { record };
      // Switched before we ever saw it: the window starts now.
      return {
        record: { ...record, switchedAt: history?.switchedAt ?? now, activationDueAt: dueAt },
        activationDueAt: dueAt,
      };
    case "Active":
      return {
        record: {
          ...record,
          activeAt: history?.state === "Active" ? (history.activeAt ?? now) : now,
          overdueAt: undefined,
          autoReruns: 0,
        },
      };
    case "Eligible":
      return { record: { ...record, eligibleAt: history?.eligibleAt ?? now } };
    default:
      return { record };
  }
}
