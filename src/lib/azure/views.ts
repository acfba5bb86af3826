import { normalizeGuid } from "./guid";
import { lastSegment, normalizeResourceId, parseResourceId } from "./resource-id";

/**
 * What the engine and the app need from ARM bodies, normalised once: all-zero
 * GUIDs become undefined, enum values are compared case-insensitively, and the
 * spec examples' sloppiness (quoted ids, odd casing, empty strings) is absorbed.
 */

export type ServiceIdentityType = "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned,UserAssigned";

interface ServiceIdentityView {
  type: ServiceIdentityType;
  principalId?: string;
  tenantId?: string;
  /** Resource ids of the user-assigned identities (kept when enabling the system-assigned one). */
  userAssignedIdentityIds: string[];
}

export interface StorageSyncServiceView {
  resourceId: string;
  name: string;
  identity: ServiceIdentityView;
  useIdentity: boolean;
}

export interface RegisteredServerView {
  resourceId: string;
  /** The GUID that ends the resource id, lower-cased. */
  serverId: string;
  serviceId: string;
  /** friendlyName, else serverName, else the serverId. */
  name: string;
  serverName?: string;
  friendlyName?: string;
  serverRole?: "Standalone" | "ClusterNode" | "ClusterName" | string;
  clusterId?: string;
  clusterName?: string;
  agentVersion?: string;
  /** 2022-09-01: Ok, NearExpiry, Expired or Blocked, as the service judges the agent. */
  agentVersionStatus?: string;
  /** 2022-09-01: when the agent's version expires (ISO 8601). */
  agentVersionExpirationDate?: string;
  applicationId?: string;
  latestApplicationId?: string;
  activeAuthType?: "Certificate" | "ManagedIdentity" | string;
  /** True once a switch (PATCH identity:true) was requested. */
  identity?: boolean;
  /**
   * Registered with its managed identity (Register-AzStorageSyncServer -ApplicationId, no certificate):
   * the service read returns an empty serverCertificate while identity and applicationId are set.
   */
  registeredWithIdentity?: boolean;
  lastHeartBeat?: string;
  /** The server's own last error (e.g. 0x80c86063, no grant on a share), when non-zero; hex. */
  serverManagementErrorCode?: string;
}

export interface SyncGroupView {
  resourceId: string;
  name: string;
}

export interface CloudEndpointView {
  resourceId: string;
  syncGroupId: string;
  storageAccountResourceId?: string;
  azureFileShareName?: string;
  /** The Entra tenant of the storage account, as the cloud endpoint reports it. */
  storageAccountTenantId?: string;
}

export interface ServerEndpointView {
  resourceId: string;
  syncGroupId: string;
  serverResourceId?: string;
}

/** What the seed document's prerequisites need from a storage account. */
export interface StorageAccountView {
  resourceId: string;
  /** networkAcls.defaultAction: "Allow" (default) or "Deny". */
  defaultAction: "Allow" | "Deny" | string;
  /** networkAcls.bypass split on commas, e.g. ["AzureServices", "Logging"]. */
  bypass: string[];
  /** false only when shared keys are disabled; absent means allowed. */
  allowSharedKeyAccess: boolean;
}

export interface MachineIdentityView {
  resourceId: string;
  name: string;
  principalId?: string;
  tenantId?: string;
  /** Arc only: properties.status (Connected, Disconnected, Error, Expired). */
  status?: string;
}

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
const asText = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim().replace(/^"+|"+$/g, "");
  return trimmed === "" ? undefined : trimmed;
};
/** Case-insensitive lookup: the spec examples mix `UseIdentity` and `useIdentity`. */
const field = (object: Json, name: string): unknown => {
  if (name in object) return object[name];
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
};
const asBoolean = (value: unknown): boolean | undefined =>
  typeof value === "boolean" ? value : typeof value === "string" ? value.trim().toLowerCase() === "true" : undefined;

/** Canonical spelling of an enum value, matched case-insensitively; unknown values pass through. */
function canonical<T extends string>(value: string | undefined, known: readonly T[]): T | string | undefined {
  if (value === undefined) return undefined;
  const squashed = value.replace(/[\s_]/g, "").toLowerCase();
  return known.find((k) => k.replace(/[\s_]/g, "").toLowerCase() === squashed) ?? value;
}

export function toServiceIdentityType(value: unknown): ServiceIdentityType {
  const text = (asText(value) ?? "None").replace(/\s/g, "").toLowerCase();
  const hasSystem = text.includes("systemassigned");
  const hasUser = text.includes("userassigned");
  if (hasSystem && hasUser) return "SystemAssigned,UserAssigned";
  if (hasSystem) return "SystemAssigned";
  if (hasUser) return "UserAssigned";
  return "None";
}

export function toStorageSyncServiceView(body: unknown, fallbackId: string): StorageSyncServiceView {
  const root = asObject(body);
  const identity = asObject(field(root, "identity"));
  const properties = asObject(field(root, "properties"));
  const resourceId = normalizeResourceId(asText(field(root, "id")) ?? fallbackId);
  return {
    resourceId,
    name: asText(field(root, "name")) ?? lastSegment(resourceId),
    identity: {
      type: toServiceIdentityType(field(identity, "type")),
      principalId: normalizeGuid(field(identity, "principalId")),
      tenantId: normalizeGuid(field(identity, "tenantId")),
      userAssignedIdentityIds: Object.keys(asObject(field(identity, "userAssignedIdentities"))),
    },
    useIdentity: asBoolean(field(properties, "useIdentity")) ?? false,
  };
}

/** No certificate (present but empty), yet a trusted applicationId: the server registered the newer way. */
function registeredWithIdentity(p: Json): boolean {
  const certificate = field(p, "serverCertificate");
  const empty = certificate === null || (typeof certificate === "string" && certificate.trim() === "");
  return empty && asBoolean(field(p, "identity")) === true && normalizeGuid(field(p, "applicationId")) !== undefined;
}

export function toRegisteredServerView(body: unknown, serviceId: string): RegisteredServerView {
  const root = asObject(body);
  const p = asObject(field(root, "properties"));
  const resourceId = normalizeResourceId(asText(field(root, "id")) ?? "");
  const serverId = (lastSegment(resourceId) || asText(field(p, "serverId")) || "").toLowerCase();
  const friendlyName = asText(field(p, "friendlyName"));
  const serverName = asText(field(p, "serverName"));
  return {
    resourceId,
    serverId,
    serviceId,
    name: friendlyName ?? serverName ?? serverId,
    serverName,
    friendlyName,
    serverRole: canonical(asText(field(p, "serverRole")), ["Standalone", "ClusterNode", "ClusterName"] as const),
    clusterId: normalizeGuid(field(p, "clusterId")),
    clusterName: asText(field(p, "clusterName")),
    agentVersion: asText(field(p, "agentVersion")),
    agentVersionStatus: canonical(asText(field(p, "agentVersionStatus")), [
      "Ok",
      "NearExpiry",
      "Expired",
      "Blocked",
    ] as const),
    agentVersionExpirationDate: asText(field(p, "agentVersionExpirationDate")),
    applicationId: normalizeGuid(field(p, "applicationId")),
    latestApplicationId: normalizeGuid(field(p, "latestApplicationId")),
    activeAuthType: canonical(asText(field(p, "activeAuthType")) ?? asText(field(p, "serverAuthType")), [
      "Certificate",
      "ManagedIdentity",
    ] as const),
    identity: asBoolean(field(p, "identity")),
    ...(registeredWithIdentity(p) ? { registeredWithIdentity: true } : {}),
    lastHeartBeat: asText(field(p, "lastHeartBeat")),
    serverManagementErrorCode: errorCode(field(p, "serverManagementErrorCode")),
  };
}

export function toSyncGroupView(body: unknown): SyncGroupView {
  const root = asObject(body);
  const resourceId = normalizeResourceId(asText(field(root, "id")) ?? "");
  return { resourceId, name: asText(field(root, "name")) ?? lastSegment(resourceId) };
}

/**
 * A storage account id, or undefined for anything else: a grant on it could only fail, or fail the whole run's reads.
 */
function storageAccountId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const parsed = parseResourceId(value);
    return parsed.resourceType?.toLowerCase() === "microsoft.storage/storageaccounts" ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

export function toCloudEndpointView(body: unknown, syncGroupId: string): CloudEndpointView {
  const root = asObject(body);
  const p = asObject(field(root, "properties"));
  return {
    resourceId: normalizeResourceId(asText(field(root, "id")) ?? ""),
    syncGroupId,
    storageAccountResourceId: storageAccountId(asText(field(p, "storageAccountResourceId"))),
    azureFileShareName: asText(field(p, "azureFileShareName")),
    storageAccountTenantId: normalizeGuid(field(p, "storageAccountTenantId")),
  };
}

export function toServerEndpointView(body: unknown, syncGroupId: string): ServerEndpointView {
  const root = asObject(body);
  const p = asObject(field(root, "properties"));
  const server = asText(field(p, "serverResourceId"));
  return {
    resourceId: normalizeResourceId(asText(field(root, "id")) ?? ""),
    syncGroupId,
    serverResourceId: server ? normalizeResourceId(server) : undefined,
  };
}

/** HRESULTs come as signed int32 (-2134364061) or text; 0 means none. Hex, as the docs print them. */
function errorCode(value: unknown): string | undefined {
  const number =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^-?\d+$/.test(value.trim())
        ? Number(value.trim())
        : undefined;
  if (number === undefined) return asText(value);
  if (number === 0) return undefined;
  return `0x${(number >>> 0).toString(16).padStart(8, "0")}`;
}

export function toStorageAccountView(body: unknown, fallbackId: string): StorageAccountView {
  const root = asObject(body);
  const properties = asObject(field(root, "properties"));
  const acls = asObject(field(properties, "networkAcls"));
  return {
    resourceId: normalizeResourceId(asText(field(root, "id")) ?? fallbackId),
    defaultAction: canonical(asText(field(acls, "defaultAction")), ["Allow", "Deny"] as const) ?? "Allow",
    bypass: (asText(field(acls, "bypass")) ?? "AzureServices")
      .split(",")
      .map((b) => b.trim())
      .filter((b) => b !== ""),
    allowSharedKeyAccess: asBoolean(field(properties, "allowSharedKeyAccess")) ?? true,
  };
}

export function toMachineIdentityView(body: unknown, fallbackId: string): MachineIdentityView {
  const root = asObject(body);
  const identity = asObject(field(root, "identity"));
  const resourceId = normalizeResourceId(asText(field(root, "id")) ?? fallbackId);
  return {
    resourceId,
    name: asText(field(root, "name")) ?? lastSegment(resourceId),
    principalId: normalizeGuid(field(identity, "principalId")),
    tenantId: normalizeGuid(field(identity, "tenantId")),
    status: asText(field(asObject(field(root, "properties")), "status")),
  };
}
