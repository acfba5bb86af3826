import type { TransactionAction } from "@azure/data-tables";
import type { ReconcileReport } from "../reconcile/report";
import { addDueEntries, type DueEntry } from "./due-index";
import { serverToEntity } from "./entities";
import { resourceKey, serverKey } from "./keys";
import { countByState, type RunStatus, type ServerRecord, type ServiceRecord } from "./records";
import { listServerRows } from "./server-records";
import { mergeServerRecord } from "./server-merge";
import { updateService } from "./service-records";
import type { StatusTables } from "./tables";
import { isConflict, isPreconditionFailed } from "./table-errors";

export interface RecordedReconcile {
  servers: ServerRecord[];
  /** Servers registered since the previous run of this service (empty on its first run). */
  newServerIds: string[];
  dueEntries: DueEntry[];
  service: ServiceRecord;
}

/** A transaction holds at most 100 operations, all in one partition (a service has at most 100 registered servers). */
const TRANSACTION_LIMIT = 100;

/**
 * Writes what one (non-dry) run learned: every server row of the service in
 * one transaction per 100 rows under their ETags (so a row is never half
 * updated and a concurrent activation check is never overwritten blindly),
 * then the due index, then the service row with counts by state.
 */
export async function recordReconcileResult(
  tables: StatusTables,
  input: { report: ReconcileReport; runId: string; runStatus: RunStatus; now: Date; activationWindowMs: number },
): Promise<RecordedReconcile> {
  const { report, runId, now } = input;
  const serviceId = report.serviceId;
  let merged: { record: ServerRecord; activationDueAt?: string }[] = [];
  let newServerIds: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const stored = await listServerRows(tables.servers, serviceId);
    const byId = new Map(stored.map((s) => [serverKey(s.record.serverId), s]));
    const seen = new Set<string>();
    const actions: TransactionAction[] = [];
    // On the first run for a service every server is unknown; "new" means newly registered since a previous run.
    newServerIds = stored.length === 0 ? [] : report.servers.filter((v) => !byId.has(serverKey(v.serverId))).map((v) => serverKey(v.serverId));
    merged = report.servers.map((verdict) => {
      const key = serverKey(verdict.serverId);
      seen.add(key);
      const previous = byId.get(key);
      const result = mergeServerRecord(previous?.record, verdict, { serviceId, runId, now, activationWindowMs: input.activationWindowMs });
      actions.push(previous ? ["update", serverToEntity(result.record), "Replace", { etag: previous.etag }] : ["create", serverToEntity(result.record)]);
      return result;
    });
    // Servers ARM no longer lists were unregistered: their rows go.
    for (const s of stored) {
      if (!seen.has(serverKey(s.record.serverId))) {
        actions.push(["delete", { partitionKey: resourceKey(serviceId), rowKey: serverKey(s.record.serverId) }]);
      }
    }
    try {
      for (let i = 0; i < actions.length; i += TRANSACTION_LIMIT) {
        await tables.servers.submitTransaction(actions.slice(i, i + TRANSACTION_LIMIT));
      }
      break;
    } catch (error) {
      // Someone (the activation check) wrote a row since we read it: merge again.
      if (attempt < 4 && (isPreconditionFailed(error) || isConflict(error) || transactionConflict(error))) continue;
      throw error;
    }
  }

  const dueEntries: DueEntry[] = [];
  for (const m of merged) {
    if (!m.activationDueAt) continue;
    const entry: DueEntry = {
      serviceId,
      serverId: m.record.serverId,
      serverResourceId: m.record.resourceId,
      principalId: m.record.principalId,
      switchedAt: m.record.switchedAt ?? now.toISOString(),
      dueAt: m.activationDueAt,
    };
    dueEntries.push(entry);
  }
  await addDueEntries(tables.due, dueEntries);

  const servers = merged.map((m) => m.record);
  const service = await updateService(
    tables.services,
    serviceId,
    (previous) => ({
      ...previous,
      identityType: report.service.identityType,
      principalId: report.service.principalId,
      useIdentity: report.service.useIdentity,
      converged: report.converged,
      counts: countByState(servers),
      lastRunId: runId,
      lastRunAt: now.toISOString(),
      lastRunStatus: input.runStatus,
      lastError: firstError(report),
      warnings: report.warnings,
      // A run that got through clears an earlier poison mark.
      poisonedAt: undefined,
      poisonedRunId: undefined,
      poisonReason: undefined,
    }),
    now,
  );
  return { servers, newServerIds, dueEntries, service };
}

function firstError(report: ReconcileReport): string | undefined {
  const failed = report.outcomes.find((o) => o.status === "failed" && o.error);
  return failed?.error ? `${failed.error.code}: ${failed.error.message}` : undefined;
}

/** A failed batch reports the inner operation's status in its message/code rather than as a 412. */
function transactionConflict(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${(error as { code?: string }).code ?? ""}` : "";
  return /UpdateConditionNotSatisfied|EntityAlreadyExists|ConditionNotMet/i.test(text);
}
