import { idKey } from "../resource-id";
import type {
  EmulatorState,
  CloudEndpointRecord,
  ServerEndpointRecord,
  ServerRecord,
  ServiceRecord,
  SyncGroupRecord,
} from "../state";

/** ARM representations of Storage Sync resources, as 2022-09-01 returns them. */

/** Identity fields exist from 2022-09-01 on; older api-versions never return them. */
const hasIdentityFields = (apiVersion: string): boolean => apiVersion >= "2022-09-01";

export function identityType(identity: ServiceRecord["identity"]): string {
  if (!identity) return "None";
  const system = identity.principalId !== undefined;
  const user = Object.keys(identity.userAssigned).length > 0;
  return system && user ? "SystemAssigned,UserAssigned" : system ? "SystemAssigned" : user ? "UserAssigned" : "None";
}

export function serviceBody(svc: ServiceRecord, tenantId: string, apiVersion: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: svc.id,
    name: svc.name,
    type: "Microsoft.StorageSync/storageSyncServices",
    location: svc.location,
    tags: svc.tags,
    properties: {
      storageSyncServiceStatus: 0,
      storageSyncServiceUid: svc.uid,
      incomingTrafficPolicy: svc.incomingTrafficPolicy,
      provisioningState: "Succeeded",
      ...(svc.lastWorkflowId ? { lastWorkflowId: svc.lastWorkflowId, lastOperationName: svc.lastOperationName } : {}),
      privateEndpointConnections: [],
      ...(hasIdentityFields(apiVersion) ? { useIdentity: svc.useIdentity } : {}),
    },
  };
  if (hasIdentityFields(apiVersion)) {
    const type = identityType(svc.identity);
    const identity: Record<string, unknown> = { type };
    if (svc.identity?.principalId) {
      identity.principalId = svc.identity.principalId;
      identity.tenantId = tenantId;
    }
    if (svc.identity && Object.keys(svc.identity.userAssigned).length > 0)
      identity.userAssignedIdentities = structuredClone(svc.identity.userAssigned);
    body.identity = identity;
  }
  return body;
}

export function serverBody(
  server: ServerRecord,
  svc: ServiceRecord | undefined,
  apiVersion: string,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    serverCertificate: server.serverCertificate,
    agentVersion: server.agentVersion,
    agentVersionStatus: server.agentVersionStatus ?? "Ok",
    ...(server.agentVersionExpiresAt ? { agentVersionExpirationDate: server.agentVersionExpiresAt } : {}),
    serverOSVersion: server.serverOSVersion,
    serverManagementErrorCode: server.serverManagementErrorCode,
    lastHeartBeat: new Date(server.lastHeartBeatMs).toISOString(),
    provisioningState: "Succeeded",
    serverRole: server.serverRole,
    clusterId: server.clusterId,
    clusterName: server.clusterName,
    serverId: server.serverId,
    storageSyncServiceUid: svc?.uid ?? "",
    lastWorkflowId: server.lastWorkflowId ?? "",
    lastOperationName: server.lastOperationName ?? "ICreateRegisteredServerWorkflow",
    discoveryEndpointUri: "https://emulator.afs.local:443",
    resourceLocation: svc?.location ?? "",
    serviceLocation: svc?.location ?? "",
    friendlyName: server.friendlyName,
    managementEndpointUri: "https://emulator.afs.local:443/",
    monitoringEndpointUri: "https://emulator.afs.local:443/",
    monitoringConfiguration: "",
    serverName: server.serverName,
  };
  if (hasIdentityFields(apiVersion)) {
    // Absent identities come back as Azure writes them: the all-zero GUID for applicationId, "" for
    // latestApplicationId.
    properties.applicationId = server.applicationId ?? "00000000-0000-0000-0000-000000000000";
    properties.latestApplicationId = server.latestApplicationId ?? "";
    properties.activeAuthType = server.activeAuthType;
    properties.identity = server.identity;
  }
  return {
    id: server.id,
    name: server.serverId,
    type: "Microsoft.StorageSync/storageSyncServices/registeredServers",
    properties,
  };
}

export function syncGroupBody(sg: SyncGroupRecord): Record<string, unknown> {
  return {
    id: sg.id,
    name: sg.name,
    type: "Microsoft.StorageSync/storageSyncServices/syncGroups",
    properties: { uniqueId: sg.uniqueId, syncGroupStatus: "0" },
  };
}

export function cloudEndpointBody(ce: CloudEndpointRecord): Record<string, unknown> {
  return {
    id: ce.id,
    name: ce.name,
    type: "Microsoft.StorageSync/storageSyncServices/syncGroups/cloudEndpoints",
    properties: {
      storageAccountResourceId: ce.storageAccountResourceId,
      azureFileShareName: ce.azureFileShareName,
      storageAccountTenantId: ce.storageAccountTenantId,
      partnershipId: ce.partnershipId,
      friendlyName: ce.friendlyName,
      backupEnabled: "false",
      provisioningState: "Succeeded",
      lastWorkflowId: "",
      lastOperationName: "ICreateCloudEndpointWorkflow",
    },
  };
}

export function serverEndpointBody(se: ServerEndpointRecord, state: EmulatorState): Record<string, unknown> {
  const server = state.servers.get(idKey(se.serverResourceId));
  return {
    id: se.id,
    name: se.name,
    type: "Microsoft.StorageSync/storageSyncServices/syncGroups/serverEndpoints",
    properties: {
      serverLocalPath: se.serverLocalPath,
      cloudTiering: se.cloudTiering,
      volumeFreeSpacePercent: se.volumeFreeSpacePercent,
      tierFilesOlderThanDays: se.tierFilesOlderThanDays,
      friendlyName: se.friendlyName,
      serverResourceId: se.serverResourceId,
      provisioningState: "Succeeded",
      lastWorkflowId: "",
      lastOperationName: "ICreateServerEndpointWorkflow",
      offlineDataTransfer: se.offlineDataTransfer,
      initialDownloadPolicy: "NamespaceThenModifiedFiles",
      localCacheMode: "UpdateLocallyCachedFiles",
      initialUploadPolicy: "Merge",
      serverName: server?.serverName ?? "",
    },
  };
}
