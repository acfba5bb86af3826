import type { EnginePort } from "../ports/engine-port";
import type { AppLog } from "../ports/log";
import type { StatusTables } from "../tables/clients";
import { markServiceDeleted } from "../status/deleted-services";

/**
 * After a run failed terminally: when ARM said "not found" and one GET of the
 * service confirms the service itself is gone (not, say, a storage account it
 * points at), the service gets no status row, and an existing row is marked
 * deleted. Returns true when so: the caller then writes no service row.
 */
export async function handleAbsentService(
  deps: { engine: Pick<EnginePort, "isAbsent" | "serviceAbsence">; tables: Pick<StatusTables, "services" | "due"> },
  run: { serviceId: string; runId: string; error: unknown; message: string; now: Date },
  log: AppLog,
): Promise<boolean> {
  if (!deps.engine.isAbsent(run.error)) return false;
  const absence = await deps.engine.serviceAbsence(run.serviceId).catch((error: unknown) => {
    log.warn(`${run.serviceId}: could not confirm that the service no longer exists`, error);
    return undefined;
  });
  if (!absence) return false;
  const marked = await markServiceDeleted(
    deps.tables,
    run.serviceId,
    { reason: `${absence.code}: ${absence.message}`, lastRun: { runId: run.runId, status: "failed", error: run.message } },
    run.now,
  );
  log.warn(`${run.serviceId}: ARM says the service does not exist (${absence.code}); ${marked ? "its status row is marked deleted" : "no status row kept"}`);
  return true;
}
