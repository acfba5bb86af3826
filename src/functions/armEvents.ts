import { app, type EventGridEvent, type InvocationContext } from "@azure/functions";

/** Event Grid (ResourceWriteSuccess from the subscription's system topic) → reconcile requests. */
export async function armEvents(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const [{ getAppDeps }, { logFromContext }, { handleArmEvent }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/composition/log.js"),
    import("../lib/events/handle-arm-event.js"),
  ]);
  await handleArmEvent(await getAppDeps(), event, logFromContext(context));
}

app.eventGrid("armEvents", { handler: armEvents });
