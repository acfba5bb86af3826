import { app, type InvocationContext, type Timer } from "@azure/functions";

/** Timer → a reconcile of every Storage Sync Service in MANAGED_SCOPES (repairs drift no event reports). */
export async function fullSweep(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ getAppDeps }, { logFromContext }, { reconcileAllInScope }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/composition/log.js"),
    import("../lib/sweep/sweep.js"),
  ]);
  const reason = timer.isPastDue ? "scheduled sweep (past due)" : "scheduled sweep";
  await reconcileAllInScope(
    await getAppDeps(),
    { kind: "timer", timer: "fullSweep", reason },
    {},
    logFromContext(context),
  );
}

app.timer("fullSweep", { schedule: "%FULL_SWEEP_SCHEDULE%", handler: fullSweep });
