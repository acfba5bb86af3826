import type { EnginePort } from "../ports/engine-port";
import type { AppLog } from "../ports/log";
import { isWithinScopes, parseResourceId } from "../azure/resource-id";
import { recordEstateDay, recordEstateQuota, recordEstateScope, sumCounts, type EstateScope } from "../status/estate-records";
import { listServices } from "../status/service-records";
import type { StatusTables } from "../tables/clients";

export interface EstateSnapshotDeps {
  config: { managedScopes: string[] };
  engine: Pick<EnginePort, "countRoleAssignments" | "errorInfo">;
  tables: Pick<StatusTables, "services">;
  now(): Date;
}

/**
 * What a full sweep learned about the estate, kept for the status page: each
 * scope's service list (or why it could not be listed), today's servers by
 * state (summed over service rows: one read per service, one upsert per
 * sweep, whatever the number of servers), and each subscription's role
 * assignment count. Bookkeeping: a failure is logged, never fails the sweep.
 */
export async function recordEstateSnapshot(deps: EstateSnapshotDeps, scopes: EstateScope[], log: AppLog): Promise<void> {
  const table = deps.tables.services;
  const guard = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      log.warn(`could not record ${what}`, error);
    }
  };
  for (const scope of scopes) await guard(`the services listed in ${scope.scope}`, () => recordEstateScope(table, scope));
  await guard("today's servers by state", async () => {
    const rows = (await listServices(table)).filter((r) => !r.deletedAt && isWithinScopes(r.serviceId, deps.config.managedScopes));
    await recordEstateDay(table, sumCounts(rows.map((r) => r.counts)), rows.length, deps.now());
  });
  const subscriptions = [...new Set(deps.config.managedScopes.map((s) => parseResourceId(s).subscriptionId.toLowerCase()))];
  for (const subscriptionId of subscriptions) {
    await guard(`the role assignments of ${subscriptionId}`, async () => {
      const countedAt = deps.now().toISOString();
      try {
        await recordEstateQuota(table, { subscriptionId, assignments: await deps.engine.countRoleAssignments(subscriptionId), countedAt });
      } catch (error) {
        await recordEstateQuota(table, { subscriptionId, countedAt, error: deps.engine.errorInfo(error).message.slice(0, 500) });
      }
    });
  }
}
