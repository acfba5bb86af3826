import { HANDLED_OPERATION_NAMES, RESOURCE_WRITE_SUCCESS } from "../../lib/events/classify";

/**
 * What the app's event subscription on a subscription's system topic must
 * look like (infra/app/event-subscription.bicep deploys it): delivery to the
 * app's Event Grid webhook, ResourceWriteSuccess with the handled operations,
 * a subject filter that covers the service, and a dead-letter destination
 * (https://learn.microsoft.com/azure/event-grid/manage-event-delivery).
 */
interface EventSubscriptionProperties {
  destination?: { endpointType?: unknown; properties?: { endpointBaseUrl?: unknown; resourceId?: unknown } };
  filter?: {
    subjectBeginsWith?: unknown;
    includedEventTypes?: unknown;
    advancedFilters?: Array<{ operatorType?: unknown; key?: unknown; values?: unknown }>;
  };
  deadLetterDestination?: { endpointType?: unknown };
  deadLetterWithResourceIdentity?: { deadLetterDestination?: { endpointType?: unknown } };
}

const propsOf = (body: unknown): EventSubscriptionProperties =>
  ((body as { properties?: unknown }).properties ?? {}) as EventSubscriptionProperties;

/** True when the subscription delivers to this app (its webhook host, or the app's function resource). */
export function deliversTo(body: unknown, appId: string, hostName: string): boolean {
  const d = propsOf(body).destination;
  const type = typeof d?.endpointType === "string" ? d.endpointType.toLowerCase() : "";
  if (type === "webhook" && typeof d?.properties?.endpointBaseUrl === "string") {
    try {
      const url = new URL(d.properties.endpointBaseUrl);
      return (
        url.hostname.toLowerCase() === hostName.toLowerCase() &&
        url.pathname.toLowerCase().startsWith("/runtime/webhooks/eventgrid")
      );
    } catch {
      return false;
    }
  }
  if (type === "azurefunction" && typeof d?.properties?.resourceId === "string")
    return d.properties.resourceId.toLowerCase().startsWith(`${appId.toLowerCase()}/`);
  return false;
}

/** Each way the subscription departs from what the app expects, for a service it should cover. */
export function eventSubscriptionGaps(body: unknown, serviceIds: string[]): string[] {
  const p = propsOf(body);
  const gaps: string[] = [];
  const types = Array.isArray(p.filter?.includedEventTypes)
    ? (p.filter.includedEventTypes as unknown[]).map(String)
    : undefined;
  if (types !== undefined && !types.some((t) => t.toLowerCase() === RESOURCE_WRITE_SUCCESS.toLowerCase()))
    gaps.push(`its filter's includedEventTypes lack ${RESOURCE_WRITE_SUCCESS}`);
  const operations = (p.filter?.advancedFilters ?? []).find(
    (f) => String(f.operatorType).toLowerCase() === "stringin" && String(f.key).toLowerCase() === "data.operationname",
  );
  const values = new Set(
    (Array.isArray(operations?.values) ? (operations.values as unknown[]) : []).map((v) => String(v).toLowerCase()),
  );
  const missing = operations ? HANDLED_OPERATION_NAMES.filter((op) => !values.has(op)) : [];
  if (missing.length > 0) gaps.push(`its data.operationName filter lets through none of ${missing.join(", ")}`);
  const prefix =
    typeof p.filter?.subjectBeginsWith === "string" ? p.filter.subjectBeginsWith.toLowerCase().replace(/\/+$/, "") : "";
  for (const id of serviceIds)
    if (prefix !== "" && !`${id.toLowerCase()}/`.startsWith(`${prefix}/`))
      gaps.push(`its subjectBeginsWith does not cover ${id}`);
  const deadLetter =
    p.deadLetterDestination?.endpointType ?? p.deadLetterWithResourceIdentity?.deadLetterDestination?.endpointType;
  if (typeof deadLetter !== "string")
    gaps.push("it has no dead-letter destination: events Event Grid gives up on are lost");
  return gaps;
}
