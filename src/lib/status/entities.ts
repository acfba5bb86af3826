import type { TableEntityResult } from "@azure/data-tables";
import { emptyCounts, isServerState, SERVER_STATES, type RunStatus, type ServerRecord, type ServiceRecord } from "./records";
import { resourceKey, serverKey } from "./keys";

/** A table entity as we write it: keys plus flat scalar properties, never undefined. */
export type FlatEntity = { partitionKey: string; rowKey: string } & Record<string, string | number | boolean>;

export type StoredEntity = TableEntityResult<Record<string, unknown>>;

/** Drops undefined properties: the Table service has no "undefined", and null would be stored. */
export function flat(keys: { partitionKey: string; rowKey: string }, props: Record<string, string | number | boolean | undefined>): FlatEntity {
  const out: FlatEntity = { ...keys };
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v;
  return out;
}

const str = (e: Record<string, unknown>, k: string): string | undefined => (typeof e[k] === "string" ? (e[k] as string) : undefined);
const num = (e: Record<string, unknown>, k: string): number | undefined => (typeof e[k] === "number" ? (e[k] as number) : undefined);
const bool = (e: Record<string, unknown>, k: string): boolean | undefined => (typeof e[k] === "boolean" ? (e[k] as boolean) : undefined);

export function serverToEntity(r: ServerRecord): FlatEntity {
  return flat({ partitionKey: resourceKey(r.serviceId), rowKey: serverKey(r.serverId) }, { ...r });
}

export function serverFromEntity(e: Record<string, unknown>): ServerRecord | undefined {
  const serviceId = str(e, "serviceId");
  const serverId = str(e, "serverId");
  const state = e.state;
  if (!serviceId || !serverId || !isServerState(state)) return undefined;
  return {
    serviceId,
    serverId,
    resourceId: str(e, "resourceId") ?? "",
    name: str(e, "name") ?? "",
    serverRole: str(e, "serverRole"),
    agentVersion: str(e, "agentVersion"),
    principalId: str(e, "principalId"),
    activeAuthType: str(e, "activeAuthType"),
    state,
    reason: str(e, "reason") ?? "",
    errorCode: str(e, "errorCode"),
    errorMessage: str(e, "errorMessage"),
    errorStatusCode: num(e, "errorStatusCode"),
    errorRequestId: str(e, "errorRequestId"),
    remedy: str(e, "remedy"),
    eligibleAt: str(e, "eligibleAt"),
    switchedAt: str(e, "switchedAt"),
    activationDueAt: str(e, "activationDueAt"),
    activeAt: str(e, "activeAt"),
    overdueAt: str(e, "overdueAt"),
    lastCheckedAt: str(e, "lastCheckedAt") ?? "",
    lastRunId: str(e, "lastRunId"),
    switchAttempts: num(e, "switchAttempts") ?? 0,
    autoReruns: num(e, "autoReruns") ?? 0,
  };
}

export const SERVICE_PARTITION = "service";

export function serviceToEntity(r: ServiceRecord): FlatEntity {
  const { counts, warnings, ...rest } = r;
  return flat(
    { partitionKey: SERVICE_PARTITION, rowKey: resourceKey(r.serviceId) },
    { ...rest, counts: JSON.stringify(counts), warnings: JSON.stringify(warnings.slice(0, 20)) },
  );
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function serviceFromEntity(e: Record<string, unknown>): ServiceRecord | undefined {
  const serviceId = str(e, "serviceId");
  if (!serviceId) return undefined;
  const counts = emptyCounts();
  const storedCounts = parseJson(str(e, "counts"));
  if (typeof storedCounts === "object" && storedCounts !== null) {
    for (const s of SERVER_STATES) {
      const v = (storedCounts as Record<string, unknown>)[s];
      if (typeof v === "number") counts[s] = v;
    }
  }
  const storedWarnings = parseJson(str(e, "warnings"));
  return {
    serviceId,
    identityType: str(e, "identityType"),
    principalId: str(e, "principalId"),
    useIdentity: bool(e, "useIdentity"),
    converged: bool(e, "converged"),
    counts,
    lastRunId: str(e, "lastRunId"),
    lastRunAt: str(e, "lastRunAt"),
    lastRunStatus: str(e, "lastRunStatus") as RunStatus | undefined,
    lastError: str(e, "lastError"),
    poisonedAt: str(e, "poisonedAt"),
    poisonedRunId: str(e, "poisonedRunId"),
    poisonReason: str(e, "poisonReason"),
    warnings: Array.isArray(storedWarnings) ? storedWarnings.filter((w): w is string => typeof w === "string") : [],
    updatedAt: str(e, "updatedAt") ?? "",
  };
}
