import { app, type InvocationContext } from "@azure/functions";

/** Queue "<reconcile>-poison" → the run whose message the host moved aside is recorded poisoned. */
export async function reconcilePoison(message: unknown, context: InvocationContext): Promise<void> {
  const [{ getAppDeps }, { logFromContext }, { handlePoisonedMessage }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/composition/log.js"),
    import("../lib/worker/poisoned-message.js"),
  ]);
  await handlePoisonedMessage(await getAppDeps(), message, logFromContext(context));
}

app.storageQueue("reconcilePoison", {
  queueName: "%RECONCILE_QUEUE_NAME%-poison",
  connection: "AzureWebJobsStorage",
  handler: reconcilePoison,
});
