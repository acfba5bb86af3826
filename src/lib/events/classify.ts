import { isSystemEvent, type EventGridEvent } from "@azure/eventgrid";
import { z } from "zod";
import { isWithinScopes, parseResourceId, storageSyncResourceProblem, storageSyncServiceIdOf } from "../azure";
import type { Trigger } from "../queue/messages";

/**
 * An Event Grid delivery reduced to what the app does about it. Events are
 * hints: only the resource id and operation are used; the resource itself is
 * always read again from ARM.
 */
export type ArmEventAction =
  | { action: "reconcileService"; serviceId: string; trigger: Trigger }
  | { action: "inspectMachine"; machineId: string; trigger: Trigger }
  | { action: "ignore"; reason: string }
  | { action: "reject"; reason: string };

export const RESOURCE_WRITE_SUCCESS = "Microsoft.Resources.ResourceWriteSuccess";

/** Operations on a service's children that can change what a reconcile must do. */
const SERVICE_OPERATIONS = new Set([
  "microsoft.storagesync/storagesyncservices/registeredservers/write",
  "microsoft.storagesync/storagesyncservices/syncgroups/cloudendpoints/write",
  "microsoft.storagesync/storagesyncservices/syncgroups/serverendpoints/write",
]);
const MACHINE_OPERATIONS = new Map([
  ["microsoft.hybridcompute/machines/write", "microsoft.hybridcompute/machines"],
  ["microsoft.compute/virtualmachines/write", "microsoft.compute/virtualmachines"],
]);

/**
 * Every `data.operationName` the handler acts on (lower case): what an event subscription's filter must let through.
 */
export const HANDLED_OPERATION_NAMES: readonly string[] = [...SERVICE_OPERATIONS, ...MACHINE_OPERATIONS.keys()];

/** The Event Grid schema's envelope (the trigger hands it over JSON-parsed); CloudEvents are mapped onto it. */
const envelopeSchema = z.object({
  id: z.string().min(1).max(200),
  eventType: z.string().min(1).max(300),
  subject: z.string().max(2000).default(""),
  eventTime: z.string().max(64).optional(),
  dataVersion: z.string().max(20).default(""),
  data: z.record(z.string(), z.unknown()),
});

const resourceDataSchema = z.object({
  operationName: z.string().min(1, "data.operationName is empty").max(300),
  resourceUri: z.string().min(1, "data.resourceUri is empty").max(2000),
  status: z.string().max(50).optional(),
});

function fromCloudEvent(raw: Record<string, unknown>): Record<string, unknown> {
  if (typeof raw.specversion !== "string") return raw;
  return {
    id: raw.id,
    eventType: raw.type,
    subject: raw.subject ?? "",
    eventTime: raw.time,
    dataVersion: "",
    data: raw.data,
  };
}

/** Who made the write, from the event's claims (best effort; claims vary by caller type). */
function callerOf(data: Record<string, unknown>): string | undefined {
  const claims = data.claims;
  if (!claims || typeof claims !== "object") return undefined;
  const c = claims as Record<string, unknown>;
  const pick = (k: string): string | undefined =>
    typeof c[k] === "string" && (c[k] as string).length > 0 ? (c[k] as string) : undefined;
  return (
    pick("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn") ??
    pick("name") ??
    pick("appid") ??
    pick("http://schemas.microsoft.com/identity/claims/objectidentifier")
  )?.slice(0, 300);
}

export function classifyArmEvent(raw: unknown, managedScopes: string[]): ArmEventAction {
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    return { action: "reject", reason: "the event is not a JSON object" };
  const mapped = fromCloudEvent(raw as Record<string, unknown>);
  const envelope = envelopeSchema.safeParse(mapped);
  if (!envelope.success) {
    // Name the event when it has a usable id, so the operator can find it in Event Grid's logs.
    const id = typeof mapped.id === "string" && mapped.id.length > 0 ? ` ${mapped.id.slice(0, 100)}` : "";
    return {
      action: "reject",
      reason: `malformed event${id}: ${envelope.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ")}`,
    };
  }
  const e = envelope.data;
  const sdkEvent: EventGridEvent<unknown> = {
    id: e.id,
    eventType: e.eventType,
    subject: e.subject,
    eventTime: new Date(e.eventTime ?? 0),
    dataVersion: e.dataVersion,
    data: e.data,
  };
  if (!isSystemEvent(RESOURCE_WRITE_SUCCESS, sdkEvent))
    return { action: "ignore", reason: `event type ${e.eventType} is not handled` };
  const data = resourceDataSchema.safeParse(sdkEvent.data);
  if (!data.success) {
    return {
      action: "reject",
      reason: `malformed ${RESOURCE_WRITE_SUCCESS} event ${e.id}: ${data.error.issues.map((i) => `${["data", ...i.path].join(".")}: ${i.message}`).join("; ")}`,
    };
  }
  const { operationName, resourceUri } = data.data;
  const operation = operationName.toLowerCase();
  let parsedType: string | undefined;
  try {
    parsedType = parseResourceId(resourceUri).resourceType?.toLowerCase();
  } catch (error) {
    return { action: "reject", reason: `event ${e.id}: ${(error as Error).message}` };
  }
  const trigger: Trigger = {
    kind: "event",
    eventId: e.id,
    operationName: operationName.slice(0, 300),
    subject: (e.subject || resourceUri).slice(0, 2000),
    eventTime: e.eventTime,
    caller: callerOf(e.data),
  };
  const isServiceOperation = SERVICE_OPERATIONS.has(operation);
  const machineType = MACHINE_OPERATIONS.get(operation);
  if (!isServiceOperation && !machineType)
    return { action: "ignore", reason: `operation ${operationName} is not handled` };
  if (!isWithinScopes(resourceUri, managedScopes))
    return { action: "ignore", reason: `${resourceUri} is outside MANAGED_SCOPES` };
  if (isServiceOperation) {
    const serviceId = storageSyncServiceIdOf(resourceUri);
    if (!serviceId)
      return { action: "reject", reason: `event ${e.id}: ${resourceUri} does not name a Storage Sync Service child` };
    const problem = storageSyncResourceProblem(resourceUri);
    if (problem)
      return {
        action: "reject",
        reason: `event ${e.id}: ${resourceUri.slice(0, 300)} is not a resource id ARM accepts: ${problem}`,
      };
    return { action: "reconcileService", serviceId, trigger };
  }
  if (parsedType !== machineType) {
    return {
      action: "reject",
      reason: `event ${e.id}: operation ${operationName} but resource ${resourceUri} is not a ${machineType}`,
    };
  }
  return { action: "inspectMachine", machineId: resourceUri, trigger };
}
