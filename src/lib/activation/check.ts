import type { Config } from "../config";
import type { EnginePort } from "../ports/engine-port";
import type { SchedulerDeps } from "../scheduling/schedule";
import type { StoreTables } from "../tables/clients";
import type { AppLog } from "../ports/log";
import { requestReconcile } from "../scheduling/schedule";
import {
  listDueEntries,
  deleteDueEntry,
  type StoredDueEntry,
  serverToEntity,
  countByState,
  type ServerRecord,
  type StateCounts,
  getServerRow,
  listServerRows,
  updateServiceRow,
} from "../store";
import { isPreconditionFailed } from "../tables/table-errors";
import type { Telemetry } from "../telemetry/telemetry";
import { trackActivationCheck } from "../telemetry/track";
import { evaluateActivation } from "./evaluate";

/** What the activation check needs. */
export interface ActivationCheckDeps {
  config: Pick<Config, "activationWindowMs">;
  tables: Pick<StoreTables, "due" | "servers" | "services">;
  engine: Pick<EnginePort, "getServer" | "isTransient" | "errorInfo">;
  scheduler: SchedulerDeps;
  telemetry: Telemetry;
  now(): Date;
}

export interface ActivationCheckSummary {
  due: number;
  active: number;
  overdue: number;
  reruns: number;
  /** Entries whose server was switched again, moved on, or removed since. */
  stale: number;
  /** Entries left for the next tick (ARM unreachable). */
  deferred: number;
}

/** What the check saw beyond its summary, for telemetry. */
interface CheckTally {
  armReads: number;
  becameOverdue: ServerRecord[];
}

/**
 * The timer's work: only the due index's entries up to now are read (cost ∝
 * due servers), each server is read once from ARM and its row updated under
 * its ETag. An overdue server gets one automatic re-run per switch.
 */
export async function runActivationCheck(deps: ActivationCheckDeps, log: AppLog): Promise<ActivationCheckSummary> {
  const now = deps.now();
  const tally: CheckTally = { armReads: 0, becameOverdue: [] };
  const serviceCounts = new Map<string, StateCounts>();
  const entries = await listDueEntries(deps.tables.due, now);
  const summary: ActivationCheckSummary = {
    due: entries.length,
    active: 0,
    overdue: 0,
    reruns: 0,
    stale: 0,
    deferred: 0,
  };
  const touched = new Set<string>();
  // An entry is removed only after its service's counts are written: a check that dies midway
  // leaves it due, and the next tick finishes the job (re-run, counts) instead of skipping it.
  const done: StoredDueEntry[] = [];
  for (const entry of entries) {
    try {
      const result = await checkOne(deps, entry, log, tally);
      summary[result] += 1;
      if (result === "overdue" || result === "active") touched.add(entry.serviceId);
      if (result === "overdue") {
        const rerun = await maybeRerun(deps, entry, log);
        if (rerun) summary.reruns += 1;
      }
      done.push(entry);
    } catch (error) {
      if (!deps.engine.isTransient(error)) {
        log.error(`activation check of ${entry.serverResourceId} failed; dropping it`, error);
        await deleteDueEntry(deps.tables.due, entry);
        continue;
      }
      summary.deferred += 1;
      log.warn(`activation check of ${entry.serverResourceId} deferred: ${deps.engine.errorInfo(error).message}`);
    }
  }
  for (const serviceId of touched) {
    const rows = await listServerRows(deps.tables.servers, serviceId);
    const counts = countByState(rows.map((r) => r.record));
    await updateServiceRow(deps.tables.services, serviceId, (previous) => ({ ...previous, counts }), now);
    serviceCounts.set(serviceId, counts);
  }
  for (const entry of done) await deleteDueEntry(deps.tables.due, entry);
  log.info(`activation check: ${JSON.stringify(summary)}`);
  await trackActivationCheck(deps.telemetry, {
    check: { ...summary, armReads: tally.armReads },
    startedAt: now,
    finishedAt: deps.now(),
    becameOverdue: tally.becameOverdue,
    serviceCounts,
  });
  return summary;
}

async function checkOne(
  deps: ActivationCheckDeps,
  entry: StoredDueEntry,
  log: AppLog,
  tally: CheckTally,
): Promise<"active" | "overdue" | "stale"> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await getServerRow(deps.tables.servers, entry.serviceId, entry.serverId);
    if (!row || row.record.switchedAt !== entry.switchedAt) return "stale";
    // Already judged for this switch by a check that stopped before removing the entry: finish it.
    if (row.record.state === "ActivationOverdue") return "overdue";
    if (row.record.state === "Active") return "active";
    if (row.record.state !== "Switched") return "stale";
    const observed = await deps.engine.getServer(entry.serverResourceId);
    tally.armReads += 1;
    if (!observed) {
      log.info(`activation check: ${entry.serverResourceId} is no longer registered`);
      return "stale";
    }
    const verdict = evaluateActivation(row.record, observed, deps.config.activationWindowMs);
    const now = deps.now().toISOString();
    const next: ServerRecord = {
      ...row.record,
      state: verdict.state,
      reason: verdict.reason,
      activeAuthType: observed.activeAuthType,
      lastCheckedAt: now,
      ...(verdict.state === "Active"
        ? { activeAt: now, remedy: undefined, overdueAt: undefined, autoReruns: 0 }
        : { overdueAt: now, remedy: verdict.remedy }),
    };
    try {
      await deps.tables.servers.updateEntity(serverToEntity(next), "Replace", { etag: row.etag });
      if (verdict.state === "ActivationOverdue") tally.becameOverdue.push(next);
      return verdict.state === "Active" ? "active" : "overdue";
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error; // a run wrote the row meanwhile: look again
    }
  }
  return "stale";
}

/** One automatic re-run per switch: the counter resets when the server is switched again or becomes active. */
async function maybeRerun(deps: ActivationCheckDeps, entry: StoredDueEntry, log: AppLog): Promise<boolean> {
  const row = await getServerRow(deps.tables.servers, entry.serviceId, entry.serverId);
  if (!row || row.record.autoReruns >= 1) return false;
  // Requested before it is counted: dying in between costs at worst a second (cheap, idempotent)
  // re-run, never the only one.
  const run = await requestReconcile(
    deps.scheduler,
    {
      serviceId: entry.serviceId,
      trigger: { kind: "timer", timer: "activationCheck", reason: `server ${row.record.name} overdue` },
      overdue: [entry.serverId],
    },
    deps.now(),
  );
  await deps.tables.servers.updateEntity(
    serverToEntity({ ...row.record, autoReruns: row.record.autoReruns + 1 }),
    "Replace",
    { etag: row.etag },
  );
  log.warn(`${row.record.name} (${entry.serverResourceId}) is overdue; re-run ${run.runId} requested`);
  return true;
}
