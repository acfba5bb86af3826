import type { Config } from "../config";
import type { EnginePort } from "../ports/engine-port";
import type { SchedulerDeps } from "../scheduling/schedule";
import { requestReconcile, type ReconcileAsk, type Scheduled } from "../scheduling/schedule";
import type { Trigger } from "../queue/messages";
import { mapWithConcurrency } from "../reconcile";
import { roundRobinBySubscription } from "../azure";
import type { AppLog } from "../ports/log";
import type { Telemetry } from "../telemetry/telemetry";
import { trackSweep } from "../telemetry/track";
import type { StoreTables } from "../tables/clients";
import { markDeletedServices } from "./deleted-services";
import { recordEstateSnapshot } from "./estate-snapshot";
import type { EstateScope } from "../store";

const SWEEP_CONCURRENCY = 8;

/** What a sweep needs: the scopes, the service list, the scheduler. */
export interface SweepDeps {
  config: Pick<Config, "managedScopes" | "statusPageSignIn">;
  engine: Pick<EnginePort, "listServices" | "errorInfo" | "serviceDeletion">;
  scheduler: SchedulerDeps;
  /** Service rows, to mark those of services ARM no longer has. */
  tables: Pick<StoreTables, "services" | "due">;
  telemetry: Telemetry;
  now(): Date;
}

export interface SweepResult {
  runs: Scheduled[];
  /** Services with a status row that ARM no longer has, marked deleted by this sweep. */
  deleted: string[];
  /** Scopes that could not be listed (the others were still swept). */
  failedScopes: Array<{ scope: string; error: string }>;
}

/**
 * Asks for a reconcile of every Storage Sync Service in MANAGED_SCOPES: the
 * periodic repair of drift no event announces (a deleted assignment, a reverted
 * server), and the HTTP "re-run all". Status rows of services ARM no longer
 * has are marked deleted on the way (not on a dry run, which writes nothing).
 */
export async function reconcileAllInScope(
  deps: SweepDeps,
  trigger: Trigger,
  options: { dryRun?: boolean },
  log: AppLog,
): Promise<SweepResult> {
  const startedAt = deps.now();
  const runs: Scheduled[] = [];
  const failedScopes: SweepResult["failedScopes"] = [];
  const deleted: string[] = [];
  const listed: EstateScope[] = [];
  const inScope = new Map<string, string[]>();
  for (const scope of deps.config.managedScopes) {
    try {
      const serviceIds = await deps.engine.listServices(scope);
      inScope.set(scope, serviceIds);
      listed.push({ scope, listedAt: deps.now().toISOString(), serviceIds });
    } catch (error) {
      const message = deps.engine.errorInfo(error).message;
      log.error(`could not list Storage Sync Services in ${scope}: ${message}`);
      failedScopes.push({ scope, error: message });
      listed.push({ scope, listedAt: deps.now().toISOString(), serviceIds: [], error: message });
    }
  }
  // Queued round-robin over subscriptions: the first batches the workers take then keep every subscription's
  // ARM bucket busy, instead of the first subscription's (up to 15 services) while the others wait.
  const all = [...new Map([...inScope.values()].flat().map((id) => [id.toLowerCase(), id])).values()];
  // A few at a time: each request is several table operations, and a sweep of 50 services one by one waits on them in
  // series.
  const scheduled = await mapWithConcurrency(roundRobinBySubscription(all), SWEEP_CONCURRENCY, (index) => {
    const ask: ReconcileAsk = { serviceId: all[index] as string, trigger, dryRun: options.dryRun ?? false };
    return requestReconcile(deps.scheduler, ask, deps.now(), log);
  });
  runs.push(...scheduled);
  if (!options.dryRun) {
    for (const [scope, serviceIds] of inScope) {
      // Bookkeeping only: a table hiccup here must not fail the sweep whose runs are already queued.
      await markDeletedServices(deps, scope, serviceIds, log).then(
        (marked) => deleted.push(...marked),
        (error: unknown) => log.warn(`could not mark deleted services in ${scope}`, error),
      );
    }
  }
  if (!options.dryRun) await recordEstateSnapshot(deps, listed, log);
  const merged = runs.filter((r) => r.coalesced).length;
  log.info(`requested ${runs.length} reconciles (${merged} merged into queued runs)`);
  await trackSweep(deps.telemetry, {
    trigger: trigger.kind === "timer" ? trigger.timer : trigger.kind,
    dryRun: options.dryRun ?? false,
    scopes: deps.config.managedScopes.length,
    failedScopes: failedScopes.length,
    requested: runs.length,
    merged,
    startedAt,
    finishedAt: deps.now(),
  });
  if (runs.length === 0 && failedScopes.length > 0) {
    throw new Error(`no scope could be listed: ${failedScopes.map((f) => `${f.scope}: ${f.error}`).join("; ")}`);
  }
  return { runs, deleted, failedScopes };
}
