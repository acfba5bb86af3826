import { ArmError, notFound } from "../arm-error";
import type { FunctionAppRecord, SystemTopicRecord } from "../deployment";
import { idKey, normalizePath } from "../resource-id";
import { requireScope } from "./scope";
import { listReply, reply, type Handler, type HandlerContext } from "./types";

/**
 * Read-only answers for the resources a deployment of the app adds (see
 * deployment.ts): resource provider registrations (Microsoft.Resources
 * 2021-04-01 Providers_List), Event Grid system topics and their event
 * subscriptions (Microsoft.EventGrid 2025-02-15), and the function app
 * (Microsoft.Web 2024-04-01 WebApps_Get, WebApps_ListApplicationSettings).
 */

/** Namespaces the emulator answers for; each is "Registered" unless the deployment says otherwise. */
const KNOWN_PROVIDERS = [
  "Microsoft.Authorization",
  "Microsoft.Compute",
  "Microsoft.EventGrid",
  "Microsoft.HybridCompute",
  "Microsoft.Resources",
  "Microsoft.Storage",
  "Microsoft.StorageSync",
  "Microsoft.Web",
];

function listProviders(ctx: HandlerContext) {
  const sub = ctx.params.subscriptionId ?? "";
  requireScope(ctx.core.state, `/subscriptions/${sub}`);
  return listReply(
    KNOWN_PROVIDERS.map((namespace) => ({
      id: `/subscriptions/${sub}/providers/${namespace}`,
      namespace,
      registrationState: ctx.core.deployment.isRegistered(sub, namespace) ? "Registered" : "NotRegistered",
      registrationPolicy: "RegistrationRequired",
      resourceTypes: [],
    })),
  );
}

function systemTopicBody(t: SystemTopicRecord, tenantId: string): Record<string, unknown> {
  return {
    id: t.id,
    name: t.id.split("/").pop(),
    type: "Microsoft.EventGrid/systemTopics",
    location: t.location,
    ...(t.principalId ? { identity: { type: "SystemAssigned", principalId: t.principalId, tenantId } } : {}),
    properties: { provisioningState: "Succeeded", source: t.source, topicType: t.topicType, metricResourceId: t.id },
  };
}

function eventSubscriptionBody(
  topic: SystemTopicRecord,
  name: string,
  properties: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: `${topic.id}/eventSubscriptions/${name}`,
    name,
    type: "Microsoft.EventGrid/eventSubscriptions",
    properties: {
      topic: topic.source,
      provisioningState: "Succeeded",
      eventDeliverySchema: "EventGridSchema",
      ...properties,
    },
  };
}

function topicOf(ctx: HandlerContext): SystemTopicRecord {
  const id = `/subscriptions/${ctx.params.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}/providers/Microsoft.EventGrid/systemTopics/${ctx.params.systemTopicName}`;
  const topic = ctx.core.deployment.systemTopics.get(idKey(id));
  if (!topic)
    throw notFound(`Microsoft.EventGrid/systemTopics/${ctx.params.systemTopicName}`, ctx.params.resourceGroupName);
  return topic;
}

function siteOf(ctx: HandlerContext): FunctionAppRecord {
  const id = `/subscriptions/${ctx.params.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}/providers/Microsoft.Web/sites/${ctx.params.name}`;
  const app = ctx.core.deployment.functionApps.get(idKey(id));
  if (!app) throw notFound(`Microsoft.Web/sites/${ctx.params.name}`, ctx.params.resourceGroupName);
  return app;
}

function siteBody(app: FunctionAppRecord, tenantId: string): Record<string, unknown> {
  const name = app.id.split("/").pop() ?? "";
  const userAssigned = Object.entries(app.userAssigned);
  const types = [
    app.systemAssignedPrincipalId ? "SystemAssigned" : "",
    userAssigned.length > 0 ? "UserAssigned" : "",
  ].filter((t) => t !== "");
  const hostName = app.defaultHostName ?? `${name}.azurewebsites.net`;
  return {
    id: app.id,
    name,
    type: "Microsoft.Web/sites",
    kind: "functionapp,linux",
    location: app.location,
    identity: {
      type: types.length > 0 ? types.join(", ") : "None",
      ...(app.systemAssignedPrincipalId ? { principalId: app.systemAssignedPrincipalId, tenantId } : {}),
      ...(userAssigned.length > 0 ? { userAssignedIdentities: Object.fromEntries(userAssigned) } : {}),
    },
    properties: { state: "Running", enabled: true, defaultHostName: hostName, hostNames: [hostName] },
  };
}

export const deploymentHandlers: Record<string, Handler> = {
  Providers_List: listProviders,
  SystemTopics_ListBySubscription: (ctx) => {
    const prefix = idKey(`/subscriptions/${ctx.params.subscriptionId}/`);
    requireScope(ctx.core.state, `/subscriptions/${ctx.params.subscriptionId}`);
    const topics = [...ctx.core.deployment.systemTopics.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, t]) => t);
    return listReply(topics.map((t) => systemTopicBody(t, ctx.core.state.tenantId)));
  },
  SystemTopics_Get: (ctx) => reply(200, systemTopicBody(topicOf(ctx), ctx.core.state.tenantId)),
  SystemTopicEventSubscriptions_List: (ctx) => {
    const topic = topicOf(ctx);
    return listReply(
      Object.entries(topic.eventSubscriptions).map(([name, p]) => eventSubscriptionBody(topic, name, p)),
    );
  },
  SystemTopicEventSubscriptions_Get: (ctx) => {
    const topic = topicOf(ctx);
    const name = ctx.params.eventSubscriptionName ?? "";
    const found = Object.entries(topic.eventSubscriptions).find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (!found) throw new ArmError(404, "ResourceNotFound", `The event subscription '${name}' could not be found.`);
    return reply(200, eventSubscriptionBody(topic, found[0], found[1]));
  },
  WebApps_Get: (ctx) => reply(200, siteBody(siteOf(ctx), ctx.core.state.tenantId)),
  // A POST that changes nothing (no `written`): not in the applied-write log, but authorized as
  // Microsoft.Web/sites/config/list/action, which Reader does not have.
  WebApps_ListApplicationSettings: (ctx) => {
    const app = siteOf(ctx);
    return reply(200, {
      id: `${normalizePath(app.id)}/config/appsettings`,
      name: "appsettings",
      type: "Microsoft.Web/sites/config",
      properties: app.appSettings,
    });
  },
};
