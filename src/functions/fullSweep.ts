import { app, type InvocationContext, type Timer } from "@azure/functions";
import "../lib/app/startup-check";

/** Timer → a reconcile of every Storage Sync Service in MANAGED_SCOPES (repairs drift no event reports). */
export async function fullSweep(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ getAppServices }, { logFromContext }, { reconcileAllInScope }] = await Promise.all([import("../lib/app/default-services.js"), import("../lib/app/log.js"), import("../lib/app/sweep.js")]);
  const reason = timer.isPastDue ? "scheduled sweep (past due)" : "scheduled sweep";
  await reconcileAllInScope(await getAppServices(), { kind: "timer", timer: "fullSweep", reason }, {}, logFromContext(context));
}

app.timer("fullSweep", { schedule: "%FULL_SWEEP_SCHEDULE%", handler: fullSweep });
