import { requestReconcile, type ReconcileAsk, type Scheduled } from "../queue/schedule";
import type { Trigger } from "../queue/messages";
import { trackSweep } from "../telemetry/track";
import type { AppLog } from "./log";
import type { AppServices } from "./services";

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
  const startedAt = app.now();
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
    for (const serviceId of serviceIds) {
      const ask: ReconcileAsk = { serviceId, trigger, dryRun: options.dryRun ?? false };
      runs.push(await requestReconcile(app.scheduler, ask, app.now()));
    }
  }
  const merged = runs.filter((r) => r.coalesced).length;
  log.info(`requested ${runs.length} reconciles (${merged} merged into queued runs)`);
  await trackSweep(app.telemetry, {
    trigger: trigger.kind === "timer" ? trigger.timer : trigger.kind,
    dryRun: options.dryRun ?? false,
    scopes: app.config.managedScopes.length,
    failedScopes: failedScopes.length,
    requested: runs.length,
    merged,
    startedAt,
    finishedAt: app.now(),
  });
  if (runs.length === 0 && failedScopes.length > 0) {
    throw new Error(`no scope could be listed: ${failedScopes.map((f) => `${f.scope}: ${f.error}`).join("; ")}`);
  }
  return { runs, failedScopes };
}
