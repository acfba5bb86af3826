import { isSameOrDescendantScope, resourceIdKey } from "../azure";
import type { EnginePort } from "../ports/engine-port";
import type { AppLog } from "../ports/log";
import { markServiceDeleted, listServiceRows } from "../store";
import type { StoreTables } from "../tables/clients";

/**
 * The sweep's other half: status rows of services in `scope` that ARM no longer
 * lists. Each is confirmed with one GET (a list can lag a re-creation) and, when
 * ARM says it does not exist, marked deleted. Returns the ids marked.
 */
export async function markDeletedServices(
  deps: {
    engine: Pick<EnginePort, "serviceDeletion" | "errorInfo">;
    tables: Pick<StoreTables, "services" | "due">;
    now(): Date;
  },
  scope: string,
  listed: string[],
  log: AppLog,
): Promise<string[]> {
  const present = new Set(listed.map(resourceIdKey));
  const rows = await listServiceRows(deps.tables.services);
  const unlistedRows = rows.filter(
    (r) => !r.deletedAt && isSameOrDescendantScope(r.serviceId, scope) && !present.has(resourceIdKey(r.serviceId)),
  );
  const marked: string[] = [];
  for (const row of unlistedRows) {
    let deletion;
    try {
      deletion = await deps.engine.serviceDeletion(row.serviceId);
    } catch (error) {
      log.warn(
        `${row.serviceId}: not listed in ${scope}, but could not confirm it is deleted: ${deps.engine.errorInfo(error).message}`,
      );
      continue;
    }
    if (!deletion) continue;
    if (
      await markServiceDeleted(
        deps.tables,
        row.serviceId,
        { reason: `${deletion.code}: ${deletion.message}` },
        deps.now(),
      )
    ) {
      log.warn(`${row.serviceId}: ARM says it no longer exists (${deletion.code}); its status row is marked deleted`);
      marked.push(row.serviceId);
    }
  }
  return marked;
}
