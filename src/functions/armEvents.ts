import { app, type EventGridEvent, type InvocationContext } from "@azure/functions";

/** Event Grid (ResourceWriteSuccess from the subscription's system topic) → reconcile requests. */
export async function armEvents(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const [{ getAppServices }, { logFromContext }, { handleArmEvent }] = await Promise.all([
    import("../lib/composition/default-services.js"),
    import("../lib/composition/log.js"),
    import("../lib/events/handle-arm-event.js"),
  ]);
  await handleArmEvent(await getAppServices(), event, logFromContext(context));
}

app.eventGrid("armEvents", { handler: armEvents });
