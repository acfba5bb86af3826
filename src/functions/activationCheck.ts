import { app, type InvocationContext, type Timer } from "@azure/functions";

/** Timer → switched servers whose activation window passed are read again (Active or ActivationOverdue). */
export async function activationCheck(_timer: Timer, context: InvocationContext): Promise<void> {
  const [{ runActivationCheck }, { getAppDeps }, { logFromContext }] = await Promise.all([
    import("../lib/activation/check.js"),
    import("../lib/composition/default-app-deps.js"),
    import("../lib/composition/log.js"),
  ]);
  await runActivationCheck(await getAppDeps(), logFromContext(context));
}

app.timer("activationCheck", { schedule: "%ACTIVATION_CHECK_SCHEDULE%", handler: activationCheck });
