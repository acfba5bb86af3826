import { app, type InvocationContext, type Timer } from "@azure/functions";
import { runActivationCheck } from "../lib/activation/check";
import { getAppServices } from "../lib/composition/default-services";
import { logFromContext } from "../lib/composition/log";

/** Timer → switched servers whose activation window passed are read again (Active or ActivationOverdue). */
export async function activationCheck(_timer: Timer, context: InvocationContext): Promise<void> {
  await runActivationCheck(await getAppServices(), logFromContext(context));
}

app.timer("activationCheck", { schedule: "%ACTIVATION_CHECK_SCHEDULE%", handler: activationCheck });
