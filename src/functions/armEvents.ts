import { app, type EventGridEvent, type InvocationContext } from "@azure/functions";
import { getAppServices } from "../lib/composition/default-services";
import { logFromContext } from "../lib/composition/log";
import { handleArmEvent } from "../lib/events/handle-arm-event";

/** Event Grid (ResourceWriteSuccess from the subscription's system topic) → reconcile requests. */
export async function armEvents(event: EventGridEvent, context: InvocationContext): Promise<void> {
  await handleArmEvent(await getAppServices(), event, logFromContext(context));
}

app.eventGrid("armEvents", { handler: armEvents });
