import type { AppLog } from "../ports/log";
import { isWithinScopes } from "../azure";
import { listServiceRows, recordEstateDay, recordEstateScope, sumCounts, type EstateScope } from "../store";
import type { StoreTables } from "../tables/clients";

export interface EstateSnapshotDeps {
  config: { managedScopes: string[] };
  tables: Pick<StoreTables, "services">;
  now(): Date;
}

/**
 * What a full sweep learned about the estate, kept for the status page: each
 * scope's service list (or why it could not be listed), and today's servers
 * by state (summed over service rows: one read per service, one upsert per
 * sweep, whatever the number of servers). Role-assignment use per
 * subscription is read by the runs that grant there and kept on the service
 * rows. Bookkeeping: a failure is logged, never fails the sweep.
 */
export async function recordEstateSnapshot(
  deps: EstateSnapshotDeps,
  scopes: EstateScope[],
  log: AppLog,
): Promise<void> {
  const table = deps.tables.services;
  const guard = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      log.warn(`could not record ${what}`, error);
    }
  };
  for (const scope of scopes)
    await guard(`the services listed in ${scope.scope}`, () => recordEstateScope(table, scope));
  await guard("today's servers by state", async () => {
    const rows = (await listServiceRows(table)).filter(
      (r) => !r.deletedAt && isWithinScopes(r.serviceId, deps.config.managedScopes),
    );
    await recordEstateDay(table, sumCounts(rows.map((r) => r.counts)), rows.length, deps.now());
  });
}
