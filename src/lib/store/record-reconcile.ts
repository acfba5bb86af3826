import type { TransactionAction } from "@azure/data-tables";
import type { ReconcileReport, ServerState } from "../reconcile";
import { addDueEntries } from "./due-index";
import type { DueEntry } from "./rows";
import { serverToEntity } from "./server";
import { resourceKey, serverKey } from "../tables/keys";
import { countByState } from "./records";
import { type RunStatus, type ServerRecord, type ServiceRecord } from "./rows";
import { listServerRows } from "./server";
import { mergeServerRecord } from "./server";
import { updateServiceRow } from "./service";
import { mergeQuotas } from "./quota-usage";
import type { StoreTables } from "../tables/clients";
import { isConflict, isPreconditionFailed } from "../tables/table-errors";

export interface RecordedReconcile {
  servers: ServerRecord[];
  /** The server ids the table held before this run wrote (empty on the service's first run). */
  previousServerIds: string[];
  dueEntries: DueEntry[];
  service: ServiceRecord;
  /**
   * Each server's state before this run, by serverKey (absent for a new server): what telemetry reports transitions
   * from.
   */
  previousStates: Map<string, ServerState>;
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
  tables: StoreTables,
  input: { report: ReconcileReport; runId: string; runStatus: RunStatus; now: Date; activationWindowMs: number },
): Promise<RecordedReconcile> {
  const { report, runId, now } = input;
  const serviceId = report.serviceId;
  let merged: { record: ServerRecord; activationDueAt?: string }[] = [];
  let previousServerIds: string[] = [];
  let previousStates = new Map<string, ServerState>();
  for (let attempt = 0; ; attempt++) {
    const stored = await listServerRows(tables.servers, serviceId);
    const byId = new Map(stored.map((s) => [serverKey(s.record.serverId), s]));
    const seen = new Set<string>();
    const actions: TransactionAction[] = [];
    previousServerIds = [...byId.keys()];
    previousStates = new Map([...byId].map(([key, s]) => [key, s.record.state]));
    merged = report.servers.map((verdict) => {
      const key = serverKey(verdict.serverId);
      seen.add(key);
      const previous = byId.get(key);
      const result = mergeServerRecord(previous?.record, verdict, {
        serviceId,
        runId,
        now,
        activationWindowMs: input.activationWindowMs,
      });
      actions.push(
        previous
          ? ["update", serverToEntity(result.record), "Replace", { etag: previous.etag }]
          : ["create", serverToEntity(result.record)],
      );
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
  const service = await updateServiceRow(
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
      roleAssignmentQuotas: mergeQuotas(
        previous.roleAssignmentQuotas ?? [],
        report.roleAssignmentQuotas,
        now.toISOString(),
      ),
      // A run that got through clears an earlier poison mark.
      poisonedAt: undefined,
      poisonedRunId: undefined,
      poisonReason: undefined,
      // The service exists again (re-created under the same id).
      deletedAt: undefined,
      deletedReason: undefined,
    }),
    now,
  );
  return { servers, previousServerIds, dueEntries, service, previousStates };
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
