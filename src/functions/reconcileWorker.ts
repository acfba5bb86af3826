import { app, type InvocationContext } from "@azure/functions";

/** The host's dequeue count (1 on first delivery); missing or odd values count as a first delivery. */
export function dequeueCountOf(context: InvocationContext): number {
  const value = Number(context.triggerMetadata?.dequeueCount);
  return Number.isInteger(value) && value > 0 ? value : 1;
}

/** Queue "reconcile" → one reconcile of one service, recorded in Table Storage. */
export async function reconcileWorker(message: unknown, context: InvocationContext): Promise<void> {
  const [{ getAppDeps }, { logFromContext }, { handleReconcileMessage }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/composition/log.js"),
    import("../lib/worker/reconcile-worker.js"),
  ]);
  await handleReconcileMessage(
    await getAppDeps(),
    message,
    { dequeueCount: dequeueCountOf(context) },
    logFromContext(context),
  );
}

app.storageQueue("reconcileWorker", {
  queueName: "%RECONCILE_QUEUE_NAME%",
  connection: "AzureWebJobsStorage",
  handler: reconcileWorker,
});
