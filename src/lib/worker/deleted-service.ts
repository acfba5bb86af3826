import type { EnginePort } from "../ports/engine-port";
import type { AppLog } from "../ports/log";
import type { StoreTables } from "../tables/clients";
import { markServiceDeleted } from "../store";

/**
 * After a run failed terminally: when ARM said "not found" and one GET of the
 * service confirms the service itself is deleted (not, say, a storage account it
 * points at), the service gets no status row, and an existing row is marked
 * deleted. Returns true when so: the caller then writes no service row.
 */
export async function handleDeletedService(
  deps: { engine: Pick<EnginePort, "isDeleted" | "serviceDeletion">; tables: Pick<StoreTables, "services" | "due"> },
  run: { serviceId: string; runId: string; error: unknown; message: string; now: Date },
  log: AppLog,
): Promise<boolean> {
  if (!deps.engine.isDeleted(run.error)) return false;
  const deletion = await deps.engine.serviceDeletion(run.serviceId).catch((error: unknown) => {
    log.warn(`${run.serviceId}: could not confirm that the service no longer exists`, error);
    return undefined;
  });
  if (!deletion) return false;
  const marked = await markServiceDeleted(
    deps.tables,
    run.serviceId,
    {
      reason: `${deletion.code}: ${deletion.message}`,
      lastRun: { runId: run.runId, status: "failed", error: run.message },
    },
    run.now,
  );
  log.warn(
    `${run.serviceId}: ARM says the service does not exist (${deletion.code}); ${marked ? "its status row is marked deleted" : "no status row kept"}`,
  );
  return true;
}
