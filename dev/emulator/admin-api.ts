import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  AddPrincipalRequest,
  EmulatorSettings,
  MachineIdentityAction,
  RegisterServerRequest,
} from "./admin-types";
import { CURRENT_AGENT_VERSION } from "./agent-versions";
import { ArmError, badRequest, notFound } from "./arm-error";
import { requestUrl, send } from "./arm-server";
import type { EmulatorCore } from "./core";
import type { EventGridPublisher } from "./events/publisher";
import { setMachineIdentity } from "./handlers/machines";
import { idKey, isGuid } from "./resource-id";
import { parseSeed, seedNetworkAclsSchema } from "./seed";
import { ARC_STATUSES, type ArcStatus, type ServerRecord } from "./state";
import { z } from "zod";

/** A storage account change: networkAcls replace the current rules; allowSharedKeyAccess null removes the property. */
const storageAccountChangeSchema = z
  .object({
    id: z.string(),
    networkAcls: seedNetworkAclsSchema.optional(),
    allowSharedKeyAccess: z.boolean().nullable().optional(),
  })
  .strict();

/** Object id used as the caller of writes the admin API simulates (a person in the portal, an agent). */
export const SIMULATED_ACTOR_OID = "5e1f0000-0000-4000-8000-00000000ad01";

export interface AdminDeps {
  core: EmulatorCore;
  publisher: EventGridPublisher;
}

type Json = Record<string, unknown>;

function asObject(body: unknown, what: string): Json {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("InvalidRequestContent", `${what}: the body must be a JSON object.`);
  return body as Json;
}

function requireString(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "")
    throw badRequest("InvalidRequestContent", `${what}: '${key}' must be a non-empty string.`);
  return v;
}

const settingsOf = (core: EmulatorCore): EmulatorSettings => ({
  lroMode: core.lroMode,
  enforceRbac: core.enforceRbac,
  listPageSize: core.listPageSize,
});

/** A stored server with its simulated agent fields, as tests inspect it. */
export function rawServer(s: ServerRecord): Json {
  return { ...s, lastHeartBeat: new Date(s.lastHeartBeatMs).toISOString() };
}

function registerServer(deps: AdminDeps, req: RegisterServerRequest): string {
  const { core } = deps;
  const svc = core.state.services.get(idKey(req.serviceId));
  if (!svc) throw notFound(req.serviceId);
  const serverId = req.serverId ?? randomUUID();
  if (!isGuid(serverId)) throw badRequest("InvalidRequestContent", `serverId '${serverId}' must be a GUID.`);
  const id = `${svc.id}/registeredServers/${serverId}`;
  const now = core.clock.now();
  core.state.servers.set(idKey(id), {
    id,
    serviceId: svc.id,
    serverId,
    serverName: req.serverName,
    friendlyName: req.serverName,
    agentVersion: req.agentVersion ?? CURRENT_AGENT_VERSION,
    serverRole: req.serverRole ?? "Standalone",
    clusterId: req.clusterId ?? "00000000-0000-0000-0000-000000000000",
    clusterName: req.clusterName ?? "",
    serverOSVersion: "10.0.20348.0",
    serverCertificate: "MIIDFAKECERT",
    activeAuthType: "Certificate",
    identity: false,
    machineId: req.machineId,
    registeredAtMs: now,
    serverManagementErrorCode: 0,
    lastHeartBeatMs: now,
    lastOperationName: "ICreateRegisteredServerWorkflow",
  });
  core.wrote(id, "PUT", SIMULATED_ACTOR_OID, randomUUID());
  return id;
}

function dumpState(core: EmulatorCore): Json {
  const s = core.state;
  core.evaluateServers(s.servers.values());
  const values = <T>(m: Map<string, T>): T[] => [...m.values()];
  return {
    now: core.clock.nowIso(),
    tenantId: s.tenantId,
    callerPrincipalId: s.callerPrincipalId,
    subscriptions: values(s.subscriptions),
    resourceGroups: values(s.resourceGroups),
    services: values(s.services),
    servers: values(s.servers).map(rawServer),
    syncGroups: values(s.syncGroups),
    cloudEndpoints: values(s.cloudEndpoints),
    serverEndpoints: values(s.serverEndpoints),
    storageAccounts: values(s.storageAccounts),
    fileShares: values(s.fileShares),
    machines: values(s.machines),
    roleAssignments: values(s.roleAssignments),
    principals: values(s.principals),
  };
}

/** Routes `/_admin/*`. Returns the answer body (JSON) or throws ArmError. */
async function dispatch(
  deps: AdminDeps,
  method: string,
  route: string,
  query: URLSearchParams,
  body: unknown,
): Promise<unknown> {
  const { core, publisher } = deps;
  const key = `${method} ${route}`;
  switch (key) {
    case "GET /calls":
      return core.recorder.calls();
    case "POST /calls/reset":
      core.recorder.reset();
      return { ok: true };
    case "GET /writes":
      return { writes: core.appliedWrites.writes() };
    case "POST /writes/reset":
      core.appliedWrites.reset();
      return { ok: true };
    case "GET /requests":
      return core.recorder.requests();
    case "POST /seed":
      try {
        // An object only: a string would be read as a file path on the emulator's machine.
        core.loadSeed(parseSeed(asObject(body, "loadSeed"), "seed"));
      } catch (e) {
        throw badRequest("InvalidSeed", (e as Error).message);
      }
      core.throttle.reset();
      return { ok: true };
    case "GET /time":
      return { now: core.clock.nowIso(), offsetMs: core.clock.offset };
    case "POST /time/advance": {
      const ms = asObject(body, "advanceTime").ms;
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
        throw badRequest("InvalidRequestContent", "advanceTime: 'ms' must be a non-negative number.");
      core.clock.advance(ms);
      core.settle();
      return { now: core.clock.nowIso(), offsetMs: core.clock.offset };
    }
    case "GET /delays":
      return core.delays;
    case "POST /delays":
      return core.setDelays(asObject(body, "setDelays") as never);
    case "GET /settings":
      return settingsOf(core);
    case "POST /settings": {
      const o = asObject(body, "settings");
      if (o.lroMode !== undefined) {
        if (o.lroMode !== "sync" && o.lroMode !== "async")
          throw badRequest("InvalidRequestContent", "settings: lroMode must be 'sync' or 'async'.");
        core.lroMode = o.lroMode;
      }
      if (o.enforceRbac !== undefined) {
        if (typeof o.enforceRbac !== "boolean")
          throw badRequest("InvalidRequestContent", "settings: enforceRbac must be a boolean.");
        core.enforceRbac = o.enforceRbac;
      }
      if (o.listPageSize !== undefined) {
        if (typeof o.listPageSize !== "number" || !Number.isInteger(o.listPageSize) || o.listPageSize < 0)
          throw badRequest("InvalidRequestContent", "settings: listPageSize must be a non-negative integer.");
        core.listPageSize = o.listPageSize;
      }
      return settingsOf(core);
    }
    case "POST /servers": {
      const o = asObject(body, "registerServer");
      requireString(o, "serviceId", "registerServer");
      requireString(o, "serverName", "registerServer");
      return { id: registerServer(deps, o as unknown as RegisterServerRequest) };
    }
    case "GET /servers": {
      const id = query.get("id") ?? "";
      const s = core.server(id);
      if (!s) throw notFound(id);
      return rawServer(s);
    }
    case "POST /machines/identity": {
      const o = asObject(body, "setMachineIdentity");
      const machineId = requireString(o, "machineId", "setMachineIdentity");
      const action = o.action as MachineIdentityAction;
      if (!["enable", "reset", "disable"].includes(action))
        throw badRequest("InvalidRequestContent", "setMachineIdentity: 'action' must be enable, reset or disable.");
      const m = core.state.machines.get(idKey(machineId));
      if (!m) throw notFound(machineId);
      // Bring agents up to now under the old identity before it changes.
      core.evaluateServers(core.state.servers.values());
      const principalId = setMachineIdentity(core, m, action);
      core.wrote(m.id, "PATCH", SIMULATED_ACTOR_OID, randomUUID());
      return { principalId: principalId ?? null };
    }
    case "POST /servers/agent": {
      const o = asObject(body, "setAgent");
      const id = requireString(o, "id", "setAgent");
      if (typeof o.ignoresSwitch !== "boolean")
        throw badRequest("InvalidRequestContent", "setAgent: 'ignoresSwitch' must be a boolean.");
      const s = core.server(id);
      if (!s) throw notFound(id);
      s.agentIgnoresSwitch = o.ignoresSwitch || undefined;
      return rawServer(s);
    }
    case "POST /machines/status": {
      const o = asObject(body, "setMachineStatus");
      const machineId = requireString(o, "machineId", "setMachineStatus");
      const status = o.status as ArcStatus;
      if (!ARC_STATUSES.includes(status))
        throw badRequest(
          "InvalidRequestContent",
          `setMachineStatus: 'status' must be one of ${ARC_STATUSES.join(", ")}.`,
        );
      const m = core.state.machines.get(idKey(machineId));
      if (!m) throw notFound(machineId);
      if (m.kind !== "arc")
        throw badRequest(
          "InvalidRequestContent",
          `setMachineStatus: ${machineId} is a virtual machine; only Arc machines have a status.`,
        );
      // Bring agents up to now under the old status before it changes.
      core.evaluateServers(core.state.servers.values());
      // The Arc service sets this from the agent's heartbeats: not an ARM write, so no event.
      m.status = status;
      return { status };
    }
    case "POST /storage-accounts": {
      const o = asObject(body, "setStorageAccount");
      const id = requireString(o, "id", "setStorageAccount");
      const a = core.state.storageAccounts.get(idKey(id));
      if (!a) throw notFound(id);
      const parsed = storageAccountChangeSchema.safeParse(o);
      if (!parsed.success)
        throw badRequest(
          "InvalidRequestContent",
          `setStorageAccount: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
      if (parsed.data.networkAcls) a.networkAcls = parsed.data.networkAcls;
      if (parsed.data.allowSharedKeyAccess !== undefined)
        a.allowSharedKeyAccess = parsed.data.allowSharedKeyAccess ?? undefined;
      core.wrote(a.id, "PUT", SIMULATED_ACTOR_OID, randomUUID());
      return a;
    }
    case "POST /principals": {
      const o = asObject(body, "addPrincipal") as AddPrincipalRequest;
      const principalId = o.principalId ?? randomUUID();
      if (!isGuid(principalId)) throw badRequest("InvalidRequestContent", "addPrincipal: principalId must be a GUID.");
      if (o.tenantId !== undefined && !isGuid(o.tenantId))
        throw badRequest("InvalidRequestContent", "addPrincipal: tenantId must be a GUID.");
      const now = core.clock.now();
      return core.state.addPrincipal({
        principalId,
        displayName: o.displayName ?? principalId,
        type: o.type ?? "ServicePrincipal",
        createdAtMs: o.replicated ? now - 24 * 3600 * 1000 : now,
        ...(o.tenantId ? { tenantId: o.tenantId } : {}),
      });
    }
    case "DELETE /role-assignments": {
      const id = query.get("id") ?? "";
      const existed = core.state.roleAssignments.delete(idKey(id));
      if (!existed) throw notFound(id);
      return { ok: true };
    }
    case "POST /deployment":
      try {
        core.deployment.load(asObject(body, "setDeployment"));
      } catch (e) {
        throw badRequest("InvalidDeployment", (e as Error).message);
      }
      return { ok: true };
    case "GET /violations":
      return { violations: core.violations.list() };
    case "POST /violations/reset":
      core.violations.reset();
      return { ok: true };
    case "GET /faults":
      return core.faults.list();
    case "POST /faults":
      try {
        return { id: core.faults.add(body as never) };
      } catch (e) {
        throw badRequest("InvalidFaultRule", (e as Error).message);
      }
    case "DELETE /faults": {
      // ?id= removes one rule (a storm that ends); no id clears them all.
      const id = query.get("id");
      if (id !== null) {
        if (!core.faults.remove(id)) throw notFound(`fault rule ${id}`);
        return { ok: true };
      }
      core.faults.clear();
      core.throttle.reset();
      return { ok: true };
    }
    case "GET /webhooks":
      return { registered: publisher.registered(), stats: publisher.stats(), deliveries: publisher.deliveries() };
    case "POST /webhooks": {
      const url = requireString(asObject(body, "addWebhook"), "url", "addWebhook");
      try {
        await publisher.register(url);
      } catch (e) {
        throw badRequest("WebhookValidationFailed", (e as Error).message);
      }
      return { registered: publisher.registered() };
    }
    case "DELETE /webhooks": {
      const url = query.get("url") ?? "";
      if (!publisher.unregister(url)) throw notFound(`webhook ${url}`);
      return { registered: publisher.registered() };
    }
    case "POST /events/flush":
      await publisher.flush();
      return publisher.stats();
    case "GET /state":
      return dumpState(core);
    default:
      throw new ArmError(404, "NotFound", `No admin route ${key}.`);
  }
}

export async function handleAdminRequest(
  deps: AdminDeps,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: Buffer,
  route: string,
): Promise<void> {
  const url = requestUrl(req.url);
  try {
    let body: unknown;
    const text = rawBody.toString("utf8");
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text) as unknown;
      } catch (e) {
        throw badRequest("InvalidRequestContent", `Admin request body is not JSON: ${(e as Error).message}`);
      }
    }
    deps.core.settle();
    const result = await dispatch(deps, (req.method ?? "GET").toUpperCase(), route, url.searchParams, body);
    send(res, { status: 200, headers: {}, body: result });
  } catch (e) {
    const err =
      e instanceof ArmError ? e : new ArmError(500, "InternalServerError", e instanceof Error ? e.message : String(e));
    send(res, { status: err.status, headers: {}, body: err.body() });
  }
}
