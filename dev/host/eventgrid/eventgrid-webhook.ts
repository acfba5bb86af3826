import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { EventGridFunction } from "../host-function";
import { replyHostError } from "../http/host-errors";
import type { Invoker } from "../invocation";

/**
 * The Event Grid extension's webhook, `POST /runtime/webhooks/eventgrid?functionName=…`:
 * answers the subscription-validation handshake, and invokes the function once
 * per event of a notification, all at once. Any failed event makes the whole delivery
 * non-2xx, so Event Grid retries it (delivery is at least once anyway).
 */

interface GridEvent {
  id?: unknown;
  eventType?: unknown;
  type?: unknown;
  subject?: unknown;
  data?: unknown;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function parseEvents(body: Buffer): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new Error("the body is not JSON; Event Grid posts an array of events (or one CloudEvent)");
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length === 0) throw new Error("the body is an empty array: no event to deliver");
  // A malformed element is still handed to the function (which names what is wrong): refusing the
  // whole delivery would make Event Grid drop (400 is not retried) the valid events sent with it.
  return events as unknown[];
}

const fieldOf = (event: unknown, name: keyof GridEvent): unknown =>
  typeof event === "object" && event !== null && !Array.isArray(event) ? (event as GridEvent)[name] : undefined;

export async function serveEventGridWebhook(
  fn: EventGridFunction,
  headers: IncomingHttpHeaders,
  body: Buffer,
  res: ServerResponse,
  invoker: Invoker,
): Promise<void> {
  let events: unknown[];
  try {
    events = parseEvents(body);
  } catch (error) {
    replyHostError(
      res,
      400,
      "BadRequest",
      `invalid Event Grid delivery for function "${fn.name}": ${(error as Error).message}`,
    );
    return;
  }
  const eventType = String(headers["aeg-event-type"] ?? "Notification");
  if (eventType.toLowerCase() === "subscriptionvalidation") {
    const data = fieldOf(events[0], "data") as { validationCode?: unknown } | undefined;
    if (typeof data?.validationCode !== "string") {
      replyHostError(res, 400, "BadRequest", "SubscriptionValidation event without data.validationCode");
      return;
    }
    reply(res, 200, { validationResponse: data.validationCode });
    return;
  }
  if (eventType.toLowerCase() !== "notification") {
    replyHostError(
      res,
      400,
      "BadRequest",
      `aeg-event-type "${eventType}" is not handled (expected Notification or SubscriptionValidation)`,
    );
    return;
  }
  // The extension's single dispatch starts the function for every event of the delivery, then awaits them
  // all, and answers 202 when all succeeded (Azure/azure-sdk-for-net,
  // sdk/eventgrid/Microsoft.Azure.WebJobs.Extensions.EventGrid/src/Config/EventGridExtensionConfigProvider.cs,
  // ProcessEventsAsync).
  const results = await Promise.all(
    events.map((event) => {
      const triggerMetadata = {
        id: fieldOf(event, "id"),
        eventType: fieldOf(event, "eventType") ?? fieldOf(event, "type"),
        subject: fieldOf(event, "subject"),
      };
      return invoker.invoke(fn, event, triggerMetadata, "EventGrid trigger fired");
    }),
  );
  const failed = results.flatMap((result, i) => {
    if (result.ok) return [];
    const id = fieldOf(events[i], "id");
    return [typeof id === "string" ? id : `[${i}]`];
  });
  if (failed.length > 0) {
    replyHostError(
      res,
      500,
      "InternalServerError",
      `function "${fn.name}" failed for event(s) ${failed.join(", ")}; Event Grid will retry the delivery`,
    );
    return;
  }
  res.writeHead(202).end();
}
