import { randomUUID } from "node:crypto";
import { ArmError, badRequest, notFound } from "../arm-error";
import { switchServerToIdentity } from "../agent";
import { idKey } from "../resource-id";
import type { ServerRecord, ServiceRecord } from "../state";
import { requireResourceGroup, requireService, requireSubscription, requireSyncGroup, serviceIdOf } from "./arm-parents";
import { applyIdentityRequest } from "./service-identity";
import { cloudEndpointBody, serverBody, serverEndpointBody, serviceBody, syncGroupBody } from "./storage-sync-render";
import { listReply, objectProp, prop, reply, stringProp, type Handler, type HandlerContext, type LongRunningWrite, type Reply } from "./types";

/** Microsoft.StorageSync 2022-09-01: services, registered servers, sync groups, endpoints. */

function lro(svc: ServiceRecord, resourceId: string, apply: () => Reply): LongRunningWrite {
  return { kind: "lro", resourceId, subscriptionId: svc.subscriptionId, location: svc.location, apply };
}

const render = (ctx: HandlerContext, svc: ServiceRecord): Record<string, unknown> => serviceBody(svc, ctx.core.state.tenantId, ctx.apiVersion);

function useIdentityRequested(body: unknown): boolean | undefined {
  const v = prop(objectProp(body, "properties"), "useIdentity");
  return typeof v === "boolean" ? v : undefined;
}

function checkUseIdentity(svc: ServiceRecord): void {
  if (svc.useIdentity && !svc.identity?.principalId) {
    throw badRequest("BadRequest", "useIdentity can only be enabled on a Storage Sync Service that has a system-assigned managed identity.");
  }
}

const services: Record<string, Handler> = {
  StorageSyncServices_Get: (ctx) => reply(200, render(ctx, requireService(ctx.core.state, ctx.params))),

  StorageSyncServices_ListByResourceGroup: (ctx) => {
    const { state } = ctx.core;
    const rg = requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
    return listReply([...state.services.values()].filter((s) => idKey(s.id).startsWith(idKey(rg.id) + "/")).map((s) => render(ctx, s)));
  },

  StorageSyncServices_ListBySubscription: (ctx) => {
    const { state } = ctx.core;
    requireSubscription(state, ctx.params.subscriptionId ?? "");
    const prefix = `/subscriptions/${ctx.params.subscriptionId}/`.toLowerCase();
    return listReply([...state.services.values()].filter((s) => idKey(s.id).startsWith(prefix)).map((s) => render(ctx, s)));
  },

  StorageSyncServices_Create: (ctx) => {
    const { state } = ctx.core;
    const rg = requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
    const id = serviceIdOf(ctx.params);
    const existing = state.services.get(idKey(id));
    const location = stringProp(ctx.body, "location") ?? rg.location;
    const draft: ServiceRecord = existing
      ? { ...existing }
      : { id, subscriptionId: rg.subscriptionId, resourceGroup: rg.name, name: ctx.params.storageSyncServiceName ?? "", location, tags: {}, useIdentity: false, uid: randomUUID(), incomingTrafficPolicy: "AllowAllTraffic" };
    draft.location = location;
    const tags = objectProp(ctx.body, "tags");
    draft.tags = tags ? (tags as Record<string, string>) : {};
    const identity = prop(ctx.body, "identity");
    if (identity !== undefined && identity !== null) draft.identity = applyIdentityRequest(ctx.core, existing?.identity, identity, draft.name);
    const policy = stringProp(objectProp(ctx.body, "properties"), "incomingTrafficPolicy");
    if (policy) draft.incomingTrafficPolicy = policy;
    const useIdentity = useIdentityRequested(ctx.body);
    if (useIdentity !== undefined) draft.useIdentity = useIdentity;
    checkUseIdentity(draft);
    return lro(draft, id, () => {
      state.services.set(idKey(id), draft);
      return reply(200, render(ctx, draft), [{ resourceUri: id, method: "PUT" }]);
    });
  },

  StorageSyncServices_Update: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const draft: ServiceRecord = { ...svc };
    const identity = prop(ctx.body, "identity");
    if (identity !== undefined && identity !== null) draft.identity = applyIdentityRequest(ctx.core, svc.identity, identity, svc.name);
    const tags = objectProp(ctx.body, "tags");
    if (tags) draft.tags = tags as Record<string, string>;
    const policy = stringProp(objectProp(ctx.body, "properties"), "incomingTrafficPolicy");
    if (policy) draft.incomingTrafficPolicy = policy;
    const useIdentity = useIdentityRequested(ctx.body);
    if (useIdentity !== undefined) draft.useIdentity = useIdentity;
    checkUseIdentity(draft);
    return lro(svc, svc.id, () => {
      const current = state.services.get(idKey(svc.id));
      if (!current) throw notFound(`Microsoft.StorageSync/storageSyncServices/${svc.name}`, svc.resourceGroup);
      Object.assign(current, draft, { lastOperationName: "PatchStorageSyncService", lastWorkflowId: `storageSyncServices/${svc.name}/workflows/${randomUUID()}` });
      return reply(200, render(ctx, current), [{ resourceUri: svc.id, method: "PATCH" }]);
    });
  },

  StorageSyncServices_Delete: (ctx) => {
    const { state } = ctx.core;
    requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
    const svc = state.services.get(idKey(serviceIdOf(ctx.params)));
    if (!svc) return reply(204);
    return lro(svc, svc.id, () => {
      const prefix = idKey(svc.id);
      for (const map of [state.services, state.servers, state.syncGroups, state.cloudEndpoints, state.serverEndpoints] as Map<string, unknown>[]) {
        for (const k of [...map.keys()]) if (k === prefix || k.startsWith(prefix + "/")) map.delete(k);
      }
      return reply(200, undefined, [{ resourceUri: svc.id, method: "DELETE" }]);
    });
  },
};

function serverIdOf(ctx: HandlerContext, svc: ServiceRecord): string {
  return `${svc.id}/registeredServers/${ctx.params.serverId}`;
}

function requireServer(ctx: HandlerContext): { svc: ServiceRecord; server: ServerRecord } {
  const svc = requireService(ctx.core.state, ctx.params);
  const server = ctx.core.state.servers.get(idKey(serverIdOf(ctx, svc)));
  if (!server) throw notFound(`Microsoft.StorageSync/storageSyncServices/${svc.name}/registeredServers/${ctx.params.serverId}`, svc.resourceGroup);
  ctx.core.evaluateServers([server]);
  return { svc, server };
}

const registeredServers: Record<string, Handler> = {
  RegisteredServers_ListByStorageSyncService: (ctx) => {
    const svc = requireService(ctx.core.state, ctx.params);
    const servers = ctx.core.state.serversOf(svc.id);
    ctx.core.evaluateServers(servers);
    return listReply(servers.map((s) => serverBody(s, svc, ctx.apiVersion)));
  },

  RegisteredServers_Get: (ctx) => {
    const { svc, server } = requireServer(ctx);
    return reply(200, serverBody(server, svc, ctx.apiVersion));
  },

  RegisteredServers_Create: (ctx) => {
    const { state, clock } = ctx.core;
    const svc = requireService(state, ctx.params);
    const id = serverIdOf(ctx, svc);
    const p = objectProp(ctx.body, "properties") ?? {};
    const existing = state.servers.get(idKey(id));
    const friendlyName = stringProp(p, "friendlyName") ?? existing?.friendlyName ?? ctx.params.serverId ?? "";
    const role = stringProp(p, "serverRole") ?? existing?.serverRole ?? "Standalone";
    if (!["Standalone", "ClusterNode", "ClusterName"].includes(role)) throw badRequest("InvalidParameter", `serverRole '${role}' is not one of Standalone, ClusterNode, ClusterName.`);
    const now = clock.now();
    const server: ServerRecord = {
      id,
      serviceId: svc.id,
      serverId: ctx.params.serverId ?? "",
      serverName: friendlyName,
      friendlyName,
      agentVersion: stringProp(p, "agentVersion") ?? existing?.agentVersion ?? "20.0.0.0",
      serverRole: role as ServerRecord["serverRole"],
      clusterId: stringProp(p, "clusterId") ?? existing?.clusterId ?? "00000000-0000-0000-0000-000000000000",
      clusterName: stringProp(p, "clusterName") ?? existing?.clusterName ?? "",
      serverOSVersion: stringProp(p, "serverOSVersion") ?? existing?.serverOSVersion ?? "10.0.20348.0",
      serverCertificate: stringProp(p, "serverCertificate") ?? existing?.serverCertificate ?? "",
      applicationId: stringProp(p, "applicationId") ?? existing?.applicationId,
      latestApplicationId: existing?.latestApplicationId,
      activeAuthType: existing?.activeAuthType ?? "Certificate",
      identity: existing?.identity ?? false,
      machineId: existing?.machineId,
      registeredAtMs: existing?.registeredAtMs ?? now,
      serverManagementErrorCode: 0,
      lastHeartBeatMs: now,
      lastOperationName: "ICreateRegisteredServerWorkflow",
    };
    return lro(svc, id, () => {
      state.servers.set(idKey(id), server);
      return reply(200, serverBody(server, svc, ctx.apiVersion), [{ resourceUri: id, method: "PUT" }]);
    });
  },

  RegisteredServers_Update: (ctx) => {
    const { svc, server } = requireServer(ctx);
    const p = objectProp(ctx.body, "properties") ?? {};
    const identity = prop(p, "identity");
    const applicationId = stringProp(p, "applicationId");
    if (identity === true && !applicationId && !server.latestApplicationId && !server.applicationId) {
      throw badRequest("BadRequest", `Registered server ${server.serverId} has no managed identity to apply: its agent has not reported one (latestApplicationId is empty).`);
    }
    if (identity === true && server.serverRole === "ClusterName") {
      throw badRequest("BadRequest", `Registered server ${server.serverId} is a ClusterName entry; switch its cluster nodes instead.`);
    }
    return lro(svc, server.id, () => {
      const now = ctx.core.clock.now();
      ctx.core.evaluateServers([server]);
      if (applicationId) server.latestApplicationId = applicationId;
      if (identity === true || applicationId) switchServerToIdentity(server, now);
      if (identity === false) {
        server.identity = false;
        server.pendingSwitch = undefined;
        server.activeAuthType = "Certificate";
      }
      server.lastOperationName = "IUpdateRegisteredServerWorkflow";
      server.lastWorkflowId = `storageSyncServices/${svc.name}/workflows/${randomUUID()}`;
      return reply(200, serverBody(server, svc, ctx.apiVersion), [{ resourceUri: server.id, method: "PATCH" }]);
    });
  },

  RegisteredServers_Delete: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const server = state.servers.get(idKey(serverIdOf(ctx, svc)));
    if (!server) return reply(204);
    return lro(svc, server.id, () => {
      state.servers.delete(idKey(server.id));
      return reply(200, undefined, [{ resourceUri: server.id, method: "DELETE" }]);
    });
  },
};

const syncGroups: Record<string, Handler> = {
  SyncGroups_ListByStorageSyncService: (ctx) => {
    const svc = requireService(ctx.core.state, ctx.params);
    return listReply(ctx.core.state.syncGroupsOf(svc.id).map(syncGroupBody));
  },
  SyncGroups_Get: (ctx) => reply(200, syncGroupBody(requireSyncGroup(ctx.core.state, ctx.params))),
  SyncGroups_Create: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const id = `${svc.id}/syncGroups/${ctx.params.syncGroupName}`;
    const sg = state.syncGroups.get(idKey(id)) ?? { id, serviceId: svc.id, name: ctx.params.syncGroupName ?? "", uniqueId: randomUUID() };
    state.syncGroups.set(idKey(id), sg);
    return reply(200, syncGroupBody(sg), [{ resourceUri: id, method: "PUT" }]);
  },
  SyncGroups_Delete: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const id = `${svc.id}/syncGroups/${ctx.params.syncGroupName}`;
    const key = idKey(id);
    if (!state.syncGroups.has(key)) return reply(204);
    if (state.cloudEndpointsOf(id).length > 0 || state.serverEndpointsOf(id).length > 0) {
      throw new ArmError(400, "BadRequest", `Sync group ${ctx.params.syncGroupName} still has endpoints; delete them first.`);
    }
    state.syncGroups.delete(key);
    return reply(200, undefined, [{ resourceUri: id, method: "DELETE" }]);
  },
};

const endpoints: Record<string, Handler> = {
  CloudEndpoints_ListBySyncGroup: (ctx) => listReply(ctx.core.state.cloudEndpointsOf(requireSyncGroup(ctx.core.state, ctx.params).id).map(cloudEndpointBody)),
  CloudEndpoints_Get: (ctx) => {
    const sg = requireSyncGroup(ctx.core.state, ctx.params);
    const ce = ctx.core.state.cloudEndpoints.get(idKey(`${sg.id}/cloudEndpoints/${ctx.params.cloudEndpointName}`));
    if (!ce) throw notFound(`Microsoft.StorageSync/storageSyncServices/${ctx.params.storageSyncServiceName}/syncGroups/${sg.name}/cloudEndpoints/${ctx.params.cloudEndpointName}`, ctx.params.resourceGroupName);
    return reply(200, cloudEndpointBody(ce));
  },
  CloudEndpoints_Create: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const sg = requireSyncGroup(state, ctx.params);
    const p = objectProp(ctx.body, "properties") ?? {};
    const accountId = stringProp(p, "storageAccountResourceId");
    const share = stringProp(p, "azureFileShareName");
    if (!accountId || !share) throw badRequest("InvalidParameter", "storageAccountResourceId and azureFileShareName are required.");
    if (!state.exists(`${accountId}/fileServices/default/fileshares/${share}`)) {
      throw badRequest("InvalidParameter", `The file share '${share}' of storage account '${accountId}' does not exist.`);
    }
    const others = state.cloudEndpointsOf(sg.id).filter((c) => c.name.toLowerCase() !== (ctx.params.cloudEndpointName ?? "").toLowerCase());
    if (others.length > 0) throw badRequest("BadRequest", `Sync group ${sg.name} already has a cloud endpoint.`);
    const id = `${sg.id}/cloudEndpoints/${ctx.params.cloudEndpointName}`;
    return lro(svc, id, () => {
      const ce = {
        id,
        syncGroupId: sg.id,
        name: ctx.params.cloudEndpointName ?? "",
        storageAccountResourceId: accountId,
        azureFileShareName: share,
        storageAccountTenantId: stringProp(p, "storageAccountTenantId") ?? state.tenantId,
        friendlyName: stringProp(p, "friendlyName") ?? share,
        partnershipId: randomUUID(),
      };
      state.cloudEndpoints.set(idKey(id), ce);
      return reply(200, cloudEndpointBody(ce), [{ resourceUri: id, method: "PUT" }]);
    });
  },
  CloudEndpoints_Delete: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const sg = requireSyncGroup(state, ctx.params);
    const id = `${sg.id}/cloudEndpoints/${ctx.params.cloudEndpointName}`;
    if (!state.cloudEndpoints.has(idKey(id))) return reply(204);
    return lro(svc, id, () => {
      state.cloudEndpoints.delete(idKey(id));
      return reply(200, undefined, [{ resourceUri: id, method: "DELETE" }]);
    });
  },

  ServerEndpoints_ListBySyncGroup: (ctx) => {
    const sg = requireSyncGroup(ctx.core.state, ctx.params);
    return listReply(ctx.core.state.serverEndpointsOf(sg.id).map((se) => serverEndpointBody(se, ctx.core.state)));
  },
  ServerEndpoints_Get: (ctx) => {
    const sg = requireSyncGroup(ctx.core.state, ctx.params);
    const se = ctx.core.state.serverEndpoints.get(idKey(`${sg.id}/serverEndpoints/${ctx.params.serverEndpointName}`));
    if (!se) throw notFound(`Microsoft.StorageSync/storageSyncServices/${ctx.params.storageSyncServiceName}/syncGroups/${sg.name}/serverEndpoints/${ctx.params.serverEndpointName}`, ctx.params.resourceGroupName);
    return reply(200, serverEndpointBody(se, ctx.core.state));
  },
  ServerEndpoints_Create: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const sg = requireSyncGroup(state, ctx.params);
    const p = objectProp(ctx.body, "properties") ?? {};
    const serverResourceId = stringProp(p, "serverResourceId");
    const server = serverResourceId ? state.servers.get(idKey(serverResourceId)) : undefined;
    if (!server || idKey(server.serviceId) !== idKey(svc.id)) {
      throw badRequest("InvalidParameter", `serverResourceId '${serverResourceId ?? ""}' must name a registered server of storage sync service ${svc.name}.`);
    }
    const id = `${sg.id}/serverEndpoints/${ctx.params.serverEndpointName}`;
    return lro(svc, id, () => {
      const se = {
        id,
        syncGroupId: sg.id,
        name: ctx.params.serverEndpointName ?? "",
        serverResourceId: server.id,
        serverLocalPath: stringProp(p, "serverLocalPath") ?? "D:\\share",
        friendlyName: stringProp(p, "friendlyName") ?? ctx.params.serverEndpointName ?? "",
        cloudTiering: stringProp(p, "cloudTiering") ?? "off",
        volumeFreeSpacePercent: typeof prop(p, "volumeFreeSpacePercent") === "number" ? (prop(p, "volumeFreeSpacePercent") as number) : 20,
        tierFilesOlderThanDays: typeof prop(p, "tierFilesOlderThanDays") === "number" ? (prop(p, "tierFilesOlderThanDays") as number) : 0,
        offlineDataTransfer: stringProp(p, "offlineDataTransfer") ?? "off",
      };
      state.serverEndpoints.set(idKey(id), se);
      return reply(200, serverEndpointBody(se, state), [{ resourceUri: id, method: "PUT" }]);
    });
  },
  ServerEndpoints_Update: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const sg = requireSyncGroup(state, ctx.params);
    const se = state.serverEndpoints.get(idKey(`${sg.id}/serverEndpoints/${ctx.params.serverEndpointName}`));
    if (!se) throw notFound(`Microsoft.StorageSync/storageSyncServices/${svc.name}/syncGroups/${sg.name}/serverEndpoints/${ctx.params.serverEndpointName}`, svc.resourceGroup);
    const p = objectProp(ctx.body, "properties") ?? {};
    return lro(svc, se.id, () => {
      const cloudTiering = stringProp(p, "cloudTiering");
      if (cloudTiering) se.cloudTiering = cloudTiering;
      const free = prop(p, "volumeFreeSpacePercent");
      if (typeof free === "number") se.volumeFreeSpacePercent = free;
      const days = prop(p, "tierFilesOlderThanDays");
      if (typeof days === "number") se.tierFilesOlderThanDays = days;
      return reply(200, serverEndpointBody(se, state), [{ resourceUri: se.id, method: "PATCH" }]);
    });
  },
  ServerEndpoints_Delete: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const sg = requireSyncGroup(state, ctx.params);
    const id = `${sg.id}/serverEndpoints/${ctx.params.serverEndpointName}`;
    // The spec declares no 204 for this delete: a missing endpoint is a plain success.
    if (!state.serverEndpoints.has(idKey(id))) return reply(200);
    return lro(svc, id, () => {
      state.serverEndpoints.delete(idKey(id));
      return reply(200, undefined, [{ resourceUri: id, method: "DELETE" }]);
    });
  },
};

export const storageSyncHandlers: Record<string, Handler> = { ...services, ...registeredServers, ...syncGroups, ...endpoints };
