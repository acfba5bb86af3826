import { randomUUID } from "node:crypto";
import { badRequest, notFound } from "../arm-error";
import { idKey } from "../resource-id";
import type { ServiceRecord } from "../state";
import {
  requireResourceGroup,
  requireService,
  requireSubscription,
  serviceIdOf,
  serviceLro as lro,
} from "./arm-parents";
import { applyIdentityRequest } from "./service-identity";
import { FILE_SYNC_LIMITS, limitReachedMessage } from "../limits";
import { serviceBody } from "./storage-sync-render";
import { listReply, objectProp, prop, reply, stringProp, type Handler, type HandlerContext } from "./types";

/** Microsoft.StorageSync 2022-09-01 storageSyncServices: get, list, create, update (identity, useIdentity), delete. */

const render = (ctx: HandlerContext, svc: ServiceRecord): Record<string, unknown> =>
  serviceBody(svc, ctx.core.state.tenantOfScope(svc.id), ctx.apiVersion);

function useIdentityRequested(body: unknown): boolean | undefined {
  const v = prop(objectProp(body, "properties"), "useIdentity");
  return typeof v === "boolean" ? v : undefined;
}

function checkUseIdentity(svc: ServiceRecord): void {
  if (svc.useIdentity && !svc.identity?.principalId) {
    throw badRequest(
      "BadRequest",
      "useIdentity can only be enabled on a Storage Sync Service that has a system-assigned managed identity.",
    );
  }
}

export const serviceHandlers: Record<string, Handler> = {
  StorageSyncServices_Get: (ctx) => reply(200, render(ctx, requireService(ctx.core.state, ctx.params))),

  StorageSyncServices_ListByResourceGroup: (ctx) => {
    const { state } = ctx.core;
    const rg = requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
    return listReply(
      [...state.services.values()].filter((s) => idKey(s.id).startsWith(idKey(rg.id) + "/")).map((s) => render(ctx, s)),
    );
  },

  StorageSyncServices_ListBySubscription: (ctx) => {
    const { state } = ctx.core;
    requireSubscription(state, ctx.params.subscriptionId ?? "");
    const prefix = `/subscriptions/${ctx.params.subscriptionId}/`.toLowerCase();
    return listReply(
      [...state.services.values()].filter((s) => idKey(s.id).startsWith(prefix)).map((s) => render(ctx, s)),
    );
  },

  StorageSyncServices_Create: (ctx) => {
    const { state } = ctx.core;
    const rg = requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
    const id = serviceIdOf(ctx.params);
    const existing = state.services.get(idKey(id));
    if (!existing) {
      const prefix = `/subscriptions/${rg.subscriptionId}/`.toLowerCase();
      const inSubscription = [...state.services.values()].filter((s) => idKey(s.id).startsWith(prefix)).length;
      if (inSubscription >= FILE_SYNC_LIMITS.storageSyncServicesPerSubscription)
        throw badRequest(
          "BadRequest",
          limitReachedMessage("storageSyncServicesPerSubscription", `Subscription ${rg.subscriptionId}`),
        );
    }
    const location = stringProp(ctx.body, "location") ?? rg.location;
    const draft: ServiceRecord = existing
      ? { ...existing }
      : {
          id,
          subscriptionId: rg.subscriptionId,
          resourceGroup: rg.name,
          name: ctx.params.storageSyncServiceName ?? "",
          location,
          tags: {},
          useIdentity: false,
          uid: randomUUID(),
          incomingTrafficPolicy: "AllowAllTraffic",
        };
    draft.location = location;
    const tags = objectProp(ctx.body, "tags");
    draft.tags = tags ? (tags as Record<string, string>) : {};
    const identity = prop(ctx.body, "identity");
    if (identity !== undefined && identity !== null)
      draft.identity = applyIdentityRequest(ctx.core, existing?.identity, identity, draft.name);
    const policy = stringProp(objectProp(ctx.body, "properties"), "incomingTrafficPolicy");
    if (policy) draft.incomingTrafficPolicy = policy;
    const useIdentity = useIdentityRequested(ctx.body);
    if (useIdentity !== undefined) draft.useIdentity = useIdentity;
    checkUseIdentity(draft);
    return lro(draft, id, () => {
      const wasOn = state.services.get(idKey(id))?.useIdentity === true;
      state.services.set(idKey(id), draft);
      if (draft.useIdentity && !wasOn) ctx.core.violations.useIdentityEnabled(state, draft, ctx.core.clock.nowIso());
      return reply(200, render(ctx, draft), [{ resourceUri: id, method: "PUT" }]);
    });
  },

  StorageSyncServices_Update: (ctx) => {
    const { state } = ctx.core;
    const svc = requireService(state, ctx.params);
    const draft: ServiceRecord = { ...svc };
    const identity = prop(ctx.body, "identity");
    if (identity !== undefined && identity !== null)
      draft.identity = applyIdentityRequest(ctx.core, svc.identity, identity, svc.name);
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
      const wasOn = current.useIdentity;
      Object.assign(current, draft, {
        lastOperationName: "PatchStorageSyncService",
        lastWorkflowId: `storageSyncServices/${svc.name}/workflows/${randomUUID()}`,
      });
      if (current.useIdentity && !wasOn)
        ctx.core.violations.useIdentityEnabled(state, current, ctx.core.clock.nowIso());
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
      for (const map of [
        state.services,
        state.servers,
        state.syncGroups,
        state.cloudEndpoints,
        state.serverEndpoints,
      ] as Map<string, unknown>[]) {
        for (const k of [...map.keys()]) if (k === prefix || k.startsWith(prefix + "/")) map.delete(k);
      }
      return reply(200, undefined, [{ resourceUri: svc.id, method: "DELETE" }]);
    });
  },
};
