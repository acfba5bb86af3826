import { isAtOrAbove, idKey } from "./resource-id";
import { ROLE_IDS } from "./roles";
import type { EmulatorState, MachineRecord, ServerRecord } from "./state";

/** The error the agent reports when its identity cannot reach a share. */
export const SHARE_ACCESS_DENIED = "0x80c86063";
/** The same code as the signed int32 that `serverManagementErrorCode` carries. */
export const SHARE_ACCESS_DENIED_INT32 = 0x80c86063 | 0;

export interface AgentDelays {
  discoveryMs: number;
  activationMs: number;
}

/** Agents older than this do not know about managed identities and never report one. */
const MIN_IDENTITY_AGENT = [19, 1, 0, 0];

export function agentSupportsIdentity(version: string): boolean {
  const parts = version.split(".").map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < MIN_IDENTITY_AGENT.length; i++) {
    const a = parts[i] ?? 0;
    const b = MIN_IDENTITY_AGENT[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

const shortName = (host: string): string => host.split(".")[0]?.toLowerCase() ?? "";

/** Machines by short host name (and resource name), built once per batch of evaluations. */
export type MachineIndex = Map<string, MachineRecord>;

export function machineIndex(state: EmulatorState): MachineIndex {
  const index: MachineIndex = new Map();
  for (const m of state.machines.values()) {
    for (const n of [shortName(m.name), shortName(m.hostName)]) if (!index.has(n)) index.set(n, m);
  }
  return index;
}

/** The Arc machine or VM a server runs on: the explicit link, else the machine whose host name matches. */
export function machineOf(state: EmulatorState, server: ServerRecord, index: MachineIndex = machineIndex(state)): MachineRecord | undefined {
  if (server.machineId) return state.machines.get(idKey(server.machineId));
  return index.get(shortName(server.serverName)) ?? index.get(shortName(server.friendlyName));
}

/** Every file share (role assignment scope) the server syncs: its own endpoints and, for a node, its cluster's. */
export function sharesOf(state: EmulatorState, server: ServerRecord): string[] {
  const endpointOwners = new Set([idKey(server.id)]);
  if (server.serverRole === "ClusterNode") endpointOwners.add(idKey(`${server.serviceId}/registeredServers/${server.clusterId}`));
  const shares = new Set<string>();
  for (const se of state.serverEndpoints.values()) {
    if (!endpointOwners.has(idKey(se.serverResourceId))) continue;
    for (const ce of state.cloudEndpointsOf(se.syncGroupId)) {
      shares.add(`${ce.storageAccountResourceId}/fileServices/default/fileshares/${ce.azureFileShareName}`);
    }
  }
  return [...shares];
}

export function holdsShareRole(state: EmulatorState, principalId: string, share: string): boolean {
  for (const a of state.roleAssignments.values()) {
    if (a.principalId.toLowerCase() !== principalId.toLowerCase()) continue;
    if (!a.roleDefinitionId.toLowerCase().endsWith(ROLE_IDS.storageFileDataPrivilegedContributor)) continue;
    if (isAtOrAbove(a.scope, share)) return true;
  }
  return false;
}

/**
 * Brings one server's simulated agent up to `nowMs`. Evaluated lazily on every
 * request so results depend only on the simulated clock, not on timers.
 *
 * - Discovery: an agent (≥ 19.1) on a machine with a system-assigned identity
 *   reports it as `latestApplicationId` `discoveryMs` after the identity
 *   appeared (or the server registered), unless the service already uses it.
 *   No event is raised (as in Azure).
 * - Activation: `activationMs` after `PATCH identity:true`, the server uses
 *   its identity only if that identity holds Storage File Data Privileged
 *   Contributor on every share it syncs; otherwise it stays on its
 *   certificate and reports 0x80c86063, and retries on later evaluations.
 */
export function evaluateAgent(state: EmulatorState, server: ServerRecord, nowMs: number, delays: AgentDelays, index?: MachineIndex): void {
  if (server.serverRole === "ClusterName") return;
  server.lastHeartBeatMs = Math.max(server.lastHeartBeatMs, nowMs);

  const machine = machineOf(state, server, index);
  const identity = machine?.identity;
  if (identity && agentSupportsIdentity(server.agentVersion)) {
    const reportAt = Math.max(identity.sinceMs, server.registeredAtMs) + delays.discoveryMs;
    if (nowMs >= reportAt) {
      const inUse = server.applicationId?.toLowerCase() === identity.principalId.toLowerCase();
      server.latestApplicationId = inUse ? undefined : identity.principalId;
    }
  }

  const pending = server.pendingSwitch;
  if (pending && nowMs >= pending.sinceMs + delays.activationMs) {
    const missing = sharesOf(state, server).filter((share) => !holdsShareRole(state, pending.principalId, share));
    if (missing.length === 0) {
      server.activeAuthType = "ManagedIdentity";
      server.pendingSwitch = undefined;
      server.agentError = undefined;
      server.serverManagementErrorCode = 0;
    } else {
      server.activeAuthType = "Certificate";
      server.agentError = SHARE_ACCESS_DENIED;
      server.serverManagementErrorCode = SHARE_ACCESS_DENIED_INT32;
    }
  }
}

/**
 * `PATCH registeredServers/{id} {"properties":{"identity":true}}`: the service
 * adopts the identity the agent reported. Returns false when there is none.
 */
export function switchServerToIdentity(server: ServerRecord, nowMs: number): boolean {
  const principalId = server.latestApplicationId ?? server.applicationId;
  if (!principalId || server.serverRole === "ClusterName") return false;
  const alreadyActive = server.activeAuthType === "ManagedIdentity" && !server.pendingSwitch && server.applicationId === principalId;
  server.applicationId = principalId;
  server.latestApplicationId = undefined;
  server.identity = true;
  if (!alreadyActive) server.pendingSwitch = { principalId, sinceMs: nowMs };
  return true;
}
