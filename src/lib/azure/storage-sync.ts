import type { ArmConnection } from "./arm-connection";
import { STORAGE_SYNC_API_VERSION } from "./arm-connection";
import { armUrl, listArmJson, sendArmJson } from "./arm-request";
import { sendLongRunningWrite, type LongRunningWriteResult } from "./lro";
import { parseResourceId } from "./resource-id";
import {
  toCloudEndpointView,
  toRegisteredServerView,
  toServerEndpointView,
  toStorageSyncServiceView,
  toSyncGroupView,
  type CloudEndpointView,
  type RegisteredServerView,
  type ServerEndpointView,
  type ServiceIdentityType,
  type StorageSyncServiceView,
  type SyncGroupView,
} from "./views";

/**
 * Storage Sync 2022-09-01 calls. The generated 2020-09-01 models drop the
 * identity fields and its list operations ignore nextLink, so every call goes
 * as JSON through the Storage Sync client's own pipeline (same auth, retry,
 * throttling and counting) and is normalised by views.ts.
 */

interface CallOptions {
  abortSignal?: AbortSignal;
}

/** A write's options: its `x-ms-client-request-id` (the Activity Log's `httpRequest.clientRequestId`). */
interface WriteOptions extends CallOptions {
  clientRequestId?: string;
}

function clientFor(arm: ArmConnection, resourceId: string) {
  return arm.storageSync(parseResourceId(resourceId).subscriptionId);
}

const url = (arm: ArmConnection, path: string) => armUrl(arm.endpoint, path, STORAGE_SYNC_API_VERSION);

export async function getStorageSyncService(
  arm: ArmConnection,
  serviceId: string,
  options: CallOptions = {},
): Promise<StorageSyncServiceView> {
  const response = await sendArmJson(clientFor(arm, serviceId), "GET", url(arm, serviceId), options);
  return toStorageSyncServiceView(response.body, serviceId);
}

export async function listRegisteredServersOf(
  arm: ArmConnection,
  serviceId: string,
  options: CallOptions = {},
): Promise<RegisteredServerView[]> {
  const items = await listArmJson(clientFor(arm, serviceId), url(arm, `${serviceId}/registeredServers`), options);
  return items.map((item) => toRegisteredServerView(item, serviceId));
}

export async function getRegisteredServerById(
  arm: ArmConnection,
  serverResourceId: string,
  serviceId: string,
  options: CallOptions = {},
): Promise<RegisteredServerView> {
  const response = await sendArmJson(clientFor(arm, serverResourceId), "GET", url(arm, serverResourceId), options);
  return toRegisteredServerView(response.body, serviceId);
}

export async function listSyncGroups(
  arm: ArmConnection,
  serviceId: string,
  options: CallOptions = {},
): Promise<SyncGroupView[]> {
  const items = await listArmJson(clientFor(arm, serviceId), url(arm, `${serviceId}/syncGroups`), options);
  return items.map(toSyncGroupView);
}

export async function listCloudEndpoints(
  arm: ArmConnection,
  syncGroupId: string,
  options: CallOptions = {},
): Promise<CloudEndpointView[]> {
  const items = await listArmJson(clientFor(arm, syncGroupId), url(arm, `${syncGroupId}/cloudEndpoints`), options);
  return items.map((item) => toCloudEndpointView(item, syncGroupId));
}

export async function listServerEndpoints(
  arm: ArmConnection,
  syncGroupId: string,
  options: CallOptions = {},
): Promise<ServerEndpointView[]> {
  const items = await listArmJson(clientFor(arm, syncGroupId), url(arm, `${syncGroupId}/serverEndpoints`), options);
  return items.map((item) => toServerEndpointView(item, syncGroupId));
}

/** Storage Sync Services in a subscription or resource group. */
export async function listStorageSyncServiceIds(
  arm: ArmConnection,
  scope: string,
  options: CallOptions = {},
): Promise<string[]> {
  const parsed = parseResourceId(scope);
  if (parsed.provider) throw new Error(`Scope must be a subscription or resource group, got "${scope}"`);
  const items = await listArmJson(
    clientFor(arm, scope),
    url(arm, `${parsed.id}/providers/Microsoft.StorageSync/storageSyncServices`),
    options,
  );
  return items.map((item) => toStorageSyncServiceView(item, "").resourceId).filter((id) => id !== "/");
}

export interface ServiceIdentityPatch {
  identityType: ServiceIdentityType;
  /** Existing user-assigned identities, sent back so none is dropped. */
  userAssignedIdentityIds: string[];
  useIdentity: boolean;
}

/** PATCH the service's identity and useIdentity (long-running). */
export function patchStorageSyncService(
  arm: ArmConnection,
  serviceId: string,
  patch: { identity?: Omit<ServiceIdentityPatch, "useIdentity">; useIdentity: boolean },
  options: WriteOptions = {},
): Promise<LongRunningWriteResult> {
  const body: Record<string, unknown> = { properties: { useIdentity: patch.useIdentity } };
  if (patch.identity) {
    const identity: Record<string, unknown> = { type: patch.identity.identityType };
    if (patch.identity.userAssignedIdentityIds.length > 0 && patch.identity.identityType.includes("UserAssigned")) {
      identity.userAssignedIdentities = Object.fromEntries(
        patch.identity.userAssignedIdentityIds.map((id) => [id, {}]),
      );
    }
    body.identity = identity;
  }
  return sendLongRunningWrite(clientFor(arm, serviceId), "PATCH", url(arm, serviceId), body, {
    pollIntervalMs: arm.lroPollIntervalMs,
    abortSignal: options.abortSignal,
    clientRequestId: options.clientRequestId,
  });
}

/**
 * PATCH identity:true on a registered server (long-running). Without `applicationId` it switches
 * to the identity its agent reported (what Set-AzStorageSyncServiceIdentity sends); with it, the
 * service trusts exactly that principal (what `Set-AzStorageSyncServer -Identity` sends to repair a
 * server whose machine identity changed). The engine always names the principal it granted.
 */
export function patchRegisteredServerIdentity(
  arm: ArmConnection,
  serverResourceId: string,
  options: WriteOptions & { applicationId?: string } = {},
): Promise<LongRunningWriteResult> {
  const properties: Record<string, unknown> = {
    identity: true,
    ...(options.applicationId ? { applicationId: options.applicationId } : {}),
  };
  return sendLongRunningWrite(
    clientFor(arm, serverResourceId),
    "PATCH",
    url(arm, serverResourceId),
    { properties },
    {
      pollIntervalMs: arm.lroPollIntervalMs,
      abortSignal: options.abortSignal,
      clientRequestId: options.clientRequestId,
    },
  );
}
