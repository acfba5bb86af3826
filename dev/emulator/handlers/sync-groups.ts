import { randomUUID } from "node:crypto";
import { ArmError, badRequest, notFound } from "../arm-error";
import { idKey } from "../resource-id";
import { requireService, requireSyncGroup, serviceLro as lro } from "./arm-parents";
import { cloudEndpointBody, serverEndpointBody, syncGroupBody } from "./storage-sync-render";
import { listReply, objectProp, prop, reply, stringProp, type Handler } from "./types";
import { FILE_SYNC_LIMITS, limitReachedMessage } from "../limits";

/** Microsoft.StorageSync 2022-09-01 sync groups with their cloud and server endpoints. */

export const syncGroupHandlers: Record<string, Handler> = {
  SyncGroups_ListByStorageSyncService: (ctx) => {
    const svc = requireService(ctx.core.state, ctx.params);
    return listReply(ctx.core.state.syncGroupsOf(svc.id).map(syncGroupBody));
  },
  SyncGroups_Get: (ctx) => reply(200, syncGroupBody(requireSyncGroup(ctx.core.state, ctx.params))),
  SyncGroups_Create: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const id = `${svc.id}/syncGroups/${ctx.params.syncGroupName}`;
    if (!state.syncGroups.has(idKey(id)) && state.syncGroupsOf(svc.id).length >= FILE_SYNC_LIMITS.syncGroupsPerService)
      throw badRequest("BadRequest", limitReachedMessage("syncGroupsPerService", `Storage Sync Service ${svc.name}`));
    const sg = state.syncGroups.get(idKey(id)) ?? {
      id,
      serviceId: svc.id,
      name: ctx.params.syncGroupName ?? "",
      uniqueId: randomUUID(),
    };
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
      throw new ArmError(
        400,
        "BadRequest",
        `Sync group ${ctx.params.syncGroupName} still has endpoints; delete them first.`,
      );
    }
    state.syncGroups.delete(key);
    return reply(200, undefined, [{ resourceUri: id, method: "DELETE" }]);
  },
};

export const endpointHandlers: Record<string, Handler> = {
  CloudEndpoints_ListBySyncGroup: (ctx) =>
    listReply(ctx.core.state.cloudEndpointsOf(requireSyncGroup(ctx.core.state, ctx.params).id).map(cloudEndpointBody)),
  CloudEndpoints_Get: (ctx) => {
    const sg = requireSyncGroup(ctx.core.state, ctx.params);
    const ce = ctx.core.state.cloudEndpoints.get(idKey(`${sg.id}/cloudEndpoints/${ctx.params.cloudEndpointName}`));
    if (!ce)
      throw notFound(
        `Microsoft.StorageSync/storageSyncServices/${ctx.params.storageSyncServiceName}/syncGroups/${sg.name}/cloudEndpoints/${ctx.params.cloudEndpointName}`,
        ctx.params.resourceGroupName,
      );
    return reply(200, cloudEndpointBody(ce));
  },
  CloudEndpoints_Create: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const sg = requireSyncGroup(state, ctx.params);
    const p = objectProp(ctx.body, "properties") ?? {};
    const accountId = stringProp(p, "storageAccountResourceId");
    const share = stringProp(p, "azureFileShareName");
    if (!accountId || !share)
      throw badRequest("InvalidParameter", "storageAccountResourceId and azureFileShareName are required.");
    if (!state.exists(`${accountId}/fileServices/default/fileshares/${share}`)) {
      throw badRequest(
        "InvalidParameter",
        `The file share '${share}' of storage account '${accountId}' does not exist.`,
      );
    }
    const others = state
      .cloudEndpointsOf(sg.id)
      .filter((c) => c.name.toLowerCase() !== (ctx.params.cloudEndpointName ?? "").toLowerCase());
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
    if (!se)
      throw notFound(
        `Microsoft.StorageSync/storageSyncServices/${ctx.params.storageSyncServiceName}/syncGroups/${sg.name}/serverEndpoints/${ctx.params.serverEndpointName}`,
        ctx.params.resourceGroupName,
      );
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
      throw badRequest(
        "InvalidParameter",
        `serverResourceId '${serverResourceId ?? ""}' must name a registered server of storage sync service ${svc.name}.`,
      );
    }
    const id = `${sg.id}/serverEndpoints/${ctx.params.serverEndpointName}`;
    if (!state.serverEndpoints.has(idKey(id))) {
      if (state.serverEndpointsOf(sg.id).length >= FILE_SYNC_LIMITS.serverEndpointsPerSyncGroup)
        throw badRequest("BadRequest", limitReachedMessage("serverEndpointsPerSyncGroup", `Sync group ${sg.name}`));
      const onServer = [...state.serverEndpoints.values()].filter(
        (e) => idKey(e.serverResourceId) === idKey(server.id),
      ).length;
      if (onServer >= FILE_SYNC_LIMITS.serverEndpointsPerServer)
        throw badRequest(
          "BadRequest",
          limitReachedMessage("serverEndpointsPerServer", `Registered server ${server.serverId}`),
        );
    }
    return lro(svc, id, () => {
      const se = {
        id,
        syncGroupId: sg.id,
        name: ctx.params.serverEndpointName ?? "",
        serverResourceId: server.id,
        serverLocalPath: stringProp(p, "serverLocalPath") ?? "D:\\share",
        friendlyName: stringProp(p, "friendlyName") ?? ctx.params.serverEndpointName ?? "",
        cloudTiering: stringProp(p, "cloudTiering") ?? "off",
        volumeFreeSpacePercent:
          typeof prop(p, "volumeFreeSpacePercent") === "number" ? (prop(p, "volumeFreeSpacePercent") as number) : 20,
        tierFilesOlderThanDays:
          typeof prop(p, "tierFilesOlderThanDays") === "number" ? (prop(p, "tierFilesOlderThanDays") as number) : 0,
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
    if (!se)
      throw notFound(
        `Microsoft.StorageSync/storageSyncServices/${svc.name}/syncGroups/${sg.name}/serverEndpoints/${ctx.params.serverEndpointName}`,
        svc.resourceGroup,
      );
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
