import { randomUUID } from "node:crypto";
import { badRequest, notFound } from "../arm-error";
import { AgentWorld } from "../agent";
import type { EmulatorCore } from "../core";
import { idKey } from "../resource-id";
import type { MachineRecord } from "../state";
import { requireResourceGroup, requireSubscription } from "./arm-parents";
import {
  listReply,
  objectProp,
  prop,
  reply,
  stringProp,
  type Handler,
  type HandlerContext,
  type HandlerResult,
} from "./types";

/** Microsoft.HybridCompute/machines and Microsoft.Compute/virtualMachines, with their system-assigned identity. */

/** User-assigned identities as ARM renders them: keyed by the identity's resource id, each with its own principal. */
function userAssignedIdentities(
  m: MachineRecord,
): Record<string, { principalId: string; clientId: string }> | undefined {
  if (!m.userAssignedPrincipalIds?.length) return undefined;
  return Object.fromEntries(
    m.userAssignedPrincipalIds.map((principalId, i) => [
      `/subscriptions/${m.subscriptionId}/resourceGroups/${m.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${m.name}-ua${i + 1}`,
      { principalId, clientId: principalId.replace(/^.{8}/, "c1c1c1c1") },
    ]),
  );
}

export function machineBody(m: MachineRecord): Record<string, unknown> {
  const userAssigned = userAssignedIdentities(m);
  const identity = m.identity
    ? {
        type: userAssigned ? "SystemAssigned, UserAssigned" : "SystemAssigned",
        principalId: m.identity.principalId,
        tenantId: m.identity.tenantId,
        ...(userAssigned ? { userAssignedIdentities: userAssigned } : {}),
      }
    : userAssigned
      ? { type: "UserAssigned", userAssignedIdentities: userAssigned }
      : m.kind === "vm"
        ? { type: "None" }
        : undefined;
  const common = { id: m.id, name: m.name, location: m.location, tags: m.tags, ...(identity ? { identity } : {}) };
  if (m.kind === "arc") {
    return {
      ...common,
      type: "Microsoft.HybridCompute/machines",
      kind: "",
      properties: {
        provisioningState: "Succeeded",
        status: m.status ?? "Connected",
        machineFqdn: m.hostName,
        displayName: m.hostName.split(".")[0],
        osName: "windows",
        osType: "windows",
        vmId: m.vmId,
        agentVersion: "1.46.02880.1935",
      },
    };
  }
  return {
    ...common,
    type: "Microsoft.Compute/virtualMachines",
    properties: {
      vmId: m.vmId,
      provisioningState: "Succeeded",
      osProfile: { computerName: m.hostName.split(".")[0] },
      hardwareProfile: { vmSize: "Standard_D2s_v5" },
    },
  };
}

/**
 * Sets a machine's system-assigned identity: "enable" keeps an existing
 * principal or creates one, "reset" always creates a new principal (as
 * `azcmagent disconnect`/reconnect does: it inherits no role assignments),
 * "disable" removes it.
 */
export function setMachineIdentity(
  core: EmulatorCore,
  m: MachineRecord,
  action: "enable" | "reset" | "disable",
): string | undefined {
  if (action === "enable" && m.identity) return m.identity.principalId;
  // The old identity's service principal is deleted from the directory; its role assignments stay behind, orphaned.
  if (m.identity) {
    const gone = m.identity.principalId.toLowerCase();
    core.state.principals.delete(gone);
    // ARM lists an assignment whose principal was deleted with principalType Unknown ("Identity not found").
    for (const a of core.state.roleAssignments.values())
      if (a.principalId.toLowerCase() === gone) a.principalType = "Unknown";
  }
  if (action === "disable") {
    m.identity = undefined;
    return undefined;
  }
  // A new identity lives in the same directory as the one it replaces (by default the subscription's tenant).
  const tenantId = m.identity?.tenantId ?? core.state.tenantOfScope(m.id);
  const p = core.newPrincipal(m.name, tenantId);
  m.identity = { principalId: p.principalId, tenantId, sinceMs: core.clock.now() };
  return p.principalId;
}

const kindOf = (ctx: HandlerContext): MachineRecord["kind"] =>
  /\/Microsoft\.HybridCompute\//i.test(ctx.path) ? "arc" : "vm";

function machineId(ctx: HandlerContext): string {
  const name = ctx.params.machineName ?? ctx.params.vmName ?? "";
  const type = kindOf(ctx) === "arc" ? "Microsoft.HybridCompute/machines" : "Microsoft.Compute/virtualMachines";
  return `/subscriptions/${ctx.params.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}/providers/${type}/${name}`;
}

function requireMachine(ctx: HandlerContext): MachineRecord {
  requireResourceGroup(ctx.core.state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
  const m = ctx.core.state.machines.get(idKey(machineId(ctx)));
  if (!m || m.kind !== kindOf(ctx))
    throw notFound(machineId(ctx).split("/providers/")[1] ?? "", ctx.params.resourceGroupName);
  return m;
}

function applyIdentity(ctx: HandlerContext, m: MachineRecord): void {
  const identity = prop(ctx.body, "identity");
  if (identity === undefined || identity === null) return;
  const type = (stringProp(identity, "type") ?? "").replace(/\s+/g, "").toLowerCase();
  if (type === "none") setMachineIdentity(ctx.core, m, "disable");
  else if (type.includes("systemassigned")) setMachineIdentity(ctx.core, m, "enable");
  else if (type !== "userassigned")
    throw badRequest("InvalidIdentityType", `The identity type '${stringProp(identity, "type")}' is not supported.`);
}

function write(ctx: HandlerContext, create: boolean): HandlerResult {
  const { state } = ctx.core;
  const rg = requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
  const id = machineId(ctx);
  let m = state.machines.get(idKey(id));
  if (!m) {
    if (!create) throw notFound(id.split("/providers/")[1] ?? "", rg.name);
    const name = ctx.params.machineName ?? ctx.params.vmName ?? "";
    const host =
      stringProp(objectProp(ctx.body, "properties"), "machineFqdn") ??
      stringProp(objectProp(objectProp(ctx.body, "properties"), "osProfile"), "computerName") ??
      name;
    m = {
      id,
      kind: kindOf(ctx),
      ...(kindOf(ctx) === "arc" ? { status: "Connected" as const } : {}),
      subscriptionId: rg.subscriptionId,
      resourceGroup: rg.name,
      name,
      hostName: host,
      location: stringProp(ctx.body, "location") ?? rg.location,
      tags: {},
      vmId: randomUUID(),
    };
    state.machines.set(idKey(id), m);
  }
  const tags = objectProp(ctx.body, "tags");
  if (tags) m.tags = tags as Record<string, string>;
  applyIdentity(ctx, m);
  const target = m;
  const final = reply(200, machineBody(target), [{ resourceUri: target.id, method: ctx.method }]);
  if (!ctx.operation.longRunning) return final;
  return {
    kind: "lro",
    resourceId: target.id,
    subscriptionId: target.subscriptionId,
    location: target.location,
    apply: () => reply(200, machineBody(target), final.written),
  };
}

function list(ctx: HandlerContext, kind: MachineRecord["kind"]) {
  const { state } = ctx.core;
  let prefix: string;
  if (ctx.params.resourceGroupName) {
    prefix = idKey(requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName).id) + "/";
  } else {
    requireSubscription(state, ctx.params.subscriptionId ?? "");
    prefix = `/subscriptions/${ctx.params.subscriptionId}/`.toLowerCase();
  }
  return listReply(
    [...state.machines.values()].filter((m) => m.kind === kind && idKey(m.id).startsWith(prefix)).map(machineBody),
  );
}

/**
 * DELETE: the machine and its system identity go (the identity's service
 * principal leaves the directory; its role assignments stay, orphaned). A
 * machine created again under the same name is a new resource with a new
 * principal. ResourceDeleteSuccess events are not emulated.
 */
function remove(ctx: HandlerContext): HandlerResult {
  const { state } = ctx.core;
  requireResourceGroup(state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
  const m = state.machines.get(idKey(machineId(ctx)));
  if (!m || m.kind !== kindOf(ctx)) return reply(204);
  // Agents bring themselves up to now under the old identity before it goes.
  ctx.core.evaluateServers(state.servers.values());
  // Its servers stay tied to this resource id: until a machine of that id exists again they have no identity.
  const world = new AgentWorld(state);
  for (const server of state.servers.values())
    if (!server.machineId && world.machineOf(server) === m) server.machineId = m.id;
  setMachineIdentity(ctx.core, m, "disable");
  state.machines.delete(idKey(m.id));
  const done = reply(200);
  if (!ctx.operation.longRunning) return done;
  return { kind: "lro", resourceId: m.id, subscriptionId: m.subscriptionId, location: m.location, apply: () => done };
}

export const machineHandlers: Record<string, Handler> = {
  Machines_Get: (ctx) => reply(200, machineBody(requireMachine(ctx))),
  Machines_CreateOrUpdate: (ctx) => write(ctx, true),
  Machines_Update: (ctx) => write(ctx, false),
  Machines_Delete: remove,
  Machines_ListByResourceGroup: (ctx) => list(ctx, "arc"),
  Machines_ListBySubscription: (ctx) => list(ctx, "arc"),
  VirtualMachines_Get: (ctx) => reply(200, machineBody(requireMachine(ctx))),
  VirtualMachines_CreateOrUpdate: (ctx) => write(ctx, true),
  VirtualMachines_Update: (ctx) => write(ctx, false),
  VirtualMachines_Delete: remove,
  VirtualMachines_List: (ctx) => list(ctx, "vm"),
  VirtualMachines_ListAll: (ctx) => list(ctx, "vm"),
};
