import { judgeAgentVersion } from "../agent";
import { CURRENT_AGENT_VERSION } from "../agent-versions";
import { randomUUID } from "node:crypto";
import { badRequest, notFound } from "../arm-error";
import { presentGuid, switchServerToIdentity } from "../agent";
import { idKey, isGuid } from "../resource-id";
import type { ServerRecord, ServiceRecord } from "../state";
import { requireService, serviceLro as lro } from "./arm-parents";
import { serverBody } from "./storage-sync-render";
import { listReply, objectProp, prop, reply, stringProp, type Handler, type HandlerContext } from "./types";
import { FILE_SYNC_LIMITS, limitReachedMessage } from "../limits";

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Microsoft.StorageSync 2022-09-01 registeredServers, including PATCH identity:true. */

function serverIdOf(ctx: HandlerContext, svc: ServiceRecord): string {
  return `${svc.id}/registeredServers/${ctx.params.serverId}`;
}

function requireServer(ctx: HandlerContext): { svc: ServiceRecord; server: ServerRecord } {
  const svc = requireService(ctx.core.state, ctx.params);
  const server = ctx.core.state.servers.get(idKey(serverIdOf(ctx, svc)));
  if (!server)
    throw notFound(
      `Microsoft.StorageSync/storageSyncServices/${svc.name}/registeredServers/${ctx.params.serverId}`,
      svc.resourceGroup,
    );
  ctx.core.evaluateServers([server]);
  return { svc, server };
}

export const registeredServerHandlers: Record<string, Handler> = {
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
    if (!existing && state.serversOf(svc.id).length >= FILE_SYNC_LIMITS.registeredServersPerService)
      throw badRequest(
        "BadRequest",
        limitReachedMessage("registeredServersPerService", `Storage Sync Service ${svc.name}`),
      );
    const friendlyName = stringProp(p, "friendlyName") ?? existing?.friendlyName ?? ctx.params.serverId ?? "";
    const role = stringProp(p, "serverRole") ?? existing?.serverRole ?? "Standalone";
    if (!["Standalone", "ClusterNode", "ClusterName"].includes(role))
      throw badRequest("InvalidParameter", `serverRole '${role}' is not one of Standalone, ClusterNode, ClusterName.`);
    const now = clock.now();
    // Register-AzStorageSyncServer -ApplicationId (Az.StorageSync, 2022-09-01 RegisteredServerCreateParameters):
    // no certificate, the server's managed identity from the start. It is never switched.
    const certificate = stringProp(p, "serverCertificate") ?? existing?.serverCertificate ?? "";
    const applicationId = stringProp(p, "applicationId");
    const identityOnly = !existing && applicationId !== undefined && certificate === "";
    if (applicationId !== undefined && !GUID_PATTERN.test(applicationId))
      throw badRequest("InvalidParameter", `applicationId '${applicationId}' is not a GUID.`);
    const server: ServerRecord = {
      id,
      serviceId: svc.id,
      serverId: ctx.params.serverId ?? "",
      serverName: friendlyName,
      friendlyName,
      agentVersion: stringProp(p, "agentVersion") ?? existing?.agentVersion ?? CURRENT_AGENT_VERSION,
      serverRole: role as ServerRecord["serverRole"],
      clusterId: stringProp(p, "clusterId") ?? existing?.clusterId ?? "00000000-0000-0000-0000-000000000000",
      clusterName: stringProp(p, "clusterName") ?? existing?.clusterName ?? "",
      serverOSVersion: stringProp(p, "serverOSVersion") ?? existing?.serverOSVersion ?? "10.0.20348.0",
      serverCertificate: certificate,
      applicationId: applicationId ?? existing?.applicationId,
      latestApplicationId: existing?.latestApplicationId,
      activeAuthType: identityOnly ? "ManagedIdentity" : (existing?.activeAuthType ?? "Certificate"),
      identity: identityOnly ? true : (existing?.identity ?? false),
      machineId: existing?.machineId,
      registeredAtMs: existing?.registeredAtMs ?? now,
      serverManagementErrorCode: 0,
      lastHeartBeatMs: now,
      lastOperationName: "ICreateRegisteredServerWorkflow",
    };
    judgeAgentVersion(state, server, now);
    return lro(svc, id, () => {
      state.servers.set(idKey(id), server);
      return reply(200, serverBody(server, svc, ctx.apiVersion), [{ resourceUri: id, method: "PUT" }]);
    });
  },

  RegisteredServers_Update: (ctx) => {
    const { svc, server } = requireServer(ctx);
    const p = objectProp(ctx.body, "properties") ?? {};
    const identity = prop(p, "identity");
    const rawApplicationId = stringProp(p, "applicationId");
    if (rawApplicationId !== undefined && !isGuid(rawApplicationId)) {
      throw badRequest(
        "InvalidParameter",
        `properties.applicationId '${rawApplicationId}' is not a GUID: it must be the object (principal) id of the server's managed identity.`,
      );
    }
    // The all-zero GUID is how Azure writes "no identity": naming it adopts nothing.
    const applicationId = presentGuid(rawApplicationId);
    if (
      (identity === true || rawApplicationId !== undefined) &&
      !applicationId &&
      !presentGuid(server.latestApplicationId) &&
      !presentGuid(server.applicationId)
    ) {
      throw badRequest(
        "BadRequest",
        `Registered server ${server.serverId} has no managed identity to apply: its agent has not reported one (latestApplicationId is empty or the all-zero GUID) and the request names no applicationId.`,
      );
    }
    if (identity === true && server.serverRole === "ClusterName") {
      throw badRequest(
        "BadRequest",
        `Registered server ${server.serverId} is a ClusterName entry; switch its cluster nodes instead.`,
      );
    }
    return lro(svc, server.id, () => {
      const now = ctx.core.clock.now();
      ctx.core.evaluateServers([server]);
      if (applicationId) server.latestApplicationId = applicationId;
      if ((identity === true || applicationId) && switchServerToIdentity(server, now))
        ctx.core.violations.serverSwitched(ctx.core.state, server, ctx.core.clock.nowIso());
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
