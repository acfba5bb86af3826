import { isSameOrDescendantScope, resourceIdKey } from "../azure/resource-id";
import type { EnginePort } from "../ports/engine-port";
import type { AppLog } from "../ports/log";
import { markServiceDeleted } from "../status/deleted-services";
import { listServices } from "../status/service-records";
import type { StatusTables } from "../tables/clients";

/**
 * The sweep's other half: status rows of services in `scope` that ARM no longer
 * lists. Each is confirmed with one GET (a list can lag a re-creation) and, when
 * ARM says it does not exist, marked deleted. Returns the ids marked.
 */
export async function markUnlistedServices(
  deps: { engine: Pick<EnginePort, "serviceAbsence" | "errorInfo">; tables: Pick<StatusTables, "services" | "due">; now(): Date },
  scope: string,
  listed: string[],
  log: AppLog,
): Promise<string[]> {
  const present = new Set(listed.map(resourceIdKey));
  const rows = await listServices(deps.tables.services);
  const unlisted = rows.filter((r) => !r.deletedAt && isSameOrDescendantScope(r.serviceId, scope) && !present.has(resourceIdKey(r.serviceId)));
  const marked: string[] = [];
  for (const row of unlisted) {
    let absence;
    try {
      absence = await deps.engine.serviceAbsence(row.serviceId);
    } catch (error) {
      log.warn(`${row.serviceId}: not listed in ${scope}, but could not confirm it is gone: ${deps.engine.errorInfo(error).message}`);
      continue;
    }
    if (!absence) continue;
    if (await markServiceDeleted(deps.tables, row.serviceId, { reason: `${absence.code}: ${absence.message}` }, deps.now())) {
      log.warn(`${row.serviceId}: ARM says it no longer exists (${absence.code}); its status row is marked deleted`);
      marked.push(row.serviceId);
    }
  }
  return marked;
}
