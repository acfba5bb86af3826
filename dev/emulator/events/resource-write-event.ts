import { randomUUID } from "node:crypto";

/**
 * `Microsoft.Resources.ResourceWriteSuccess` in the Event Grid schema, shaped
 * like the documented example (specs/eventgrid/ResourceWriteSuccess.example.json)
 * plus the `httpRequest` and `resourceGroup` fields that current events and
 * @azure/eventgrid's ResourceWriteSuccessEventData model carry.
 */
export interface ResourceWriteSuccessData {
  authorization: { scope: string; action: string; evidence: Record<string, string> };
  claims: Record<string, string>;
  correlationId: string;
  httpRequest: { clientRequestId: string; clientIpAddress: string; method: string; url: string };
  resourceProvider: string;
  resourceUri: string;
  resourceGroup?: string;
  operationName: string;
  status: string;
  subscriptionId: string;
  tenantId: string;
}

export interface EventGridSchemaEvent<TData = unknown> {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: TData;
  dataVersion: string;
  metadataVersion: "1";
}

export type ResourceWriteSuccessEvent = EventGridSchemaEvent<ResourceWriteSuccessData>;

export interface ResourceWriteSuccessInput {
  /** The written resource's ARM id; becomes `subject` and `data.resourceUri`. */
  resourceUri: string;
  /** e.g. "Microsoft.StorageSync/storageSyncServices/registeredServers/write". */
  operationName: string;
  subscriptionId: string;
  tenantId: string;
  /** Object id of the caller (the `oid` claim). */
  principalOid: string;
  status?: string;
  correlationId?: string;
  eventTime?: Date;
  /** HTTP method and URL of the write, for `data.httpRequest`. */
  httpMethod?: string;
  requestUrl?: string;
  /** The caller's role that allowed the write (`data.authorization.evidence.role`). */
  evidenceRole?: string;
  /** Caller's application id claim; defaults to the principal's oid. */
  appId?: string;
}

export const RESOURCE_WRITE_SUCCESS = "Microsoft.Resources.ResourceWriteSuccess";

export function resourceWriteSuccessEvent(input: ResourceWriteSuccessInput): ResourceWriteSuccessEvent {
  const eventTime = input.eventTime ?? new Date();
  const correlationId = input.correlationId ?? randomUUID();
  const issuedAt = Math.floor(eventTime.getTime() / 1000);
  const resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(input.resourceUri)?.[1];
  const data: ResourceWriteSuccessData = {
    authorization: {
      scope: input.resourceUri,
      action: input.operationName,
      evidence: { role: input.evidenceRole ?? "Contributor" },
    },
    claims: {
      aud: "https://management.azure.com/",
      iss: `https://sts.windows.net/${input.tenantId}/`,
      iat: String(issuedAt - 60),
      nbf: String(issuedAt - 60),
      exp: String(issuedAt + 3600),
      appid: input.appId ?? input.principalOid,
      appidacr: "2",
      idtyp: "app",
      "http://schemas.microsoft.com/identity/claims/objectidentifier": input.principalOid,
      "http://schemas.microsoft.com/identity/claims/tenantid": input.tenantId,
      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": input.principalOid,
      uti: randomUUID().replace(/-/g, ""),
      ver: "1.0",
    },
    correlationId,
    httpRequest: {
      clientRequestId: randomUUID(),
      clientIpAddress: "127.0.0.1",
      method: (input.httpMethod ?? "PUT").toUpperCase(),
      url: input.requestUrl ?? `https://management.azure.com${input.resourceUri}`,
    },
    resourceProvider: input.operationName.split("/")[0] ?? "",
    resourceUri: input.resourceUri,
    ...(resourceGroup !== undefined ? { resourceGroup } : {}),
    operationName: input.operationName,
    status: input.status ?? "Succeeded",
    subscriptionId: input.subscriptionId,
    tenantId: input.tenantId,
  };
  return {
    subject: input.resourceUri,
    eventType: RESOURCE_WRITE_SUCCESS,
    eventTime: eventTime.toISOString(),
    id: randomUUID(),
    data,
    dataVersion: "2",
    metadataVersion: "1",
    topic: `/subscriptions/${input.subscriptionId}`,
  };
}

/**
 * The ARM operation name of a write, as Event Grid reports it: the resource
 * type path of the id plus "/write" or "/delete", e.g.
 * `Microsoft.StorageSync/storageSyncServices/registeredServers/write`.
 */
export function armOperationName(resourceUri: string, method: string): string {
  const segments = resourceUri.split("/").filter((s) => s !== "");
  const at = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
  if (at < 0 || at + 1 >= segments.length) throw new Error(`Not a provider resource id: ${resourceUri}`);
  const namespace = segments[at + 1]!;
  const types = segments.slice(at + 2).filter((_, i) => i % 2 === 0);
  const verb = method.toUpperCase() === "DELETE" ? "delete" : method.toUpperCase() === "POST" ? "action" : "write";
  return [namespace, ...types, verb].join("/");
}
