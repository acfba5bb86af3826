import { requestReconcile, type ReconcileAsk, type Scheduled } from "../queue/schedule";
import type { Trigger } from "../queue/messages";
import { mapWithConcurrency } from "../reconcile/concurrency";
import type { AppLog } from "./log";
import type { AppServices } from "./services";

const SWEEP_CONCURRENCY = 8;

export interface SweepResult {
  runs: Scheduled[];
  /** Scopes that could not be listed (the others were still swept). */
  failedScopes: Array<{ scope: string; error: string }>;
}

/**
 * Asks for a reconcile of every Storage Sync Service in MANAGED_SCOPES: the
 * periodic repair of drift no event announces (a deleted assignment, a reverted
 * server), and the HTTP "re-run all".
 */
export async function reconcileAllInScope(app: AppServices, trigger: Trigger, options: { dryRun?: boolean }, log: AppLog): Promise<SweepResult> {
  const runs: Scheduled[] = [];
  const failedScopes: SweepResult["failedScopes"] = [];
  for (const scope of app.config.managedScopes) {
    let serviceIds: string[];
    try {
      serviceIds = await app.engine.listServices(scope);
    } catch (error) {
      const message = app.engine.errorInfo(error).message;
      log.error(`could not list Storage Sync Services in ${scope}: ${message}`);
      failedScopes.push({ scope, error: message });
      continue;
    }
    // A few at a time: each request is several table operations, and a sweep of 50 services one by one waits on them in series.
    const scheduled = await mapWithConcurrency(serviceIds, SWEEP_CONCURRENCY, (serviceId) => {
      const ask: ReconcileAsk = { serviceId, trigger, dryRun: options.dryRun ?? false };
      return requestReconcile(app.scheduler, ask, app.now());
    });
    runs.push(...scheduled);
  }
  log.info(`requested ${runs.length} reconciles (${runs.filter((r) => r.coalesced).length} merged into queued runs)`);
  if (runs.length === 0 && failedScopes.length > 0) {
    throw new Error(`no scope could be listed: ${failedScopes.map((f) => `${f.scope}: ${f.error}`).join("; ")}`);
  }
  return { runs, failedScopes };
}
