import { agentLifecycle, cannotConnect } from "./agent-versions";
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

/**
 * Look-ups the agent needs. Machines are indexed lazily once per batch of
 * evaluations; endpoints and role assignments through the state's own
 * indexes, so that reading one server costs in proportion to its endpoints and
 * its principal's assignments, not to every endpoint and assignment there is.
 */
export class AgentWorld {
  private machines?: Map<string, MachineRecord>;

  constructor(readonly state: EmulatorState) {}

  /** The Arc machine or VM a server runs on: the explicit link, else the machine whose host name matches. */
  machineOf(server: ServerRecord): MachineRecord | undefined {
    if (server.machineId) return this.state.machines.get(idKey(server.machineId));
    if (!this.machines) {
      this.machines = new Map();
      for (const m of this.state.machines.values()) {
        for (const n of [shortName(m.name), shortName(m.hostName)]) if (!this.machines.has(n)) this.machines.set(n, m);
      }
    }
    return this.machines.get(shortName(server.serverName)) ?? this.machines.get(shortName(server.friendlyName));
  }

  /** Every file share (role assignment scope) the server syncs: its own endpoints and, for a node, its cluster's. */
  sharesOf(server: ServerRecord): string[] {
    const owners = [idKey(server.id)];
    if (server.serverRole === "ClusterNode")
      owners.push(idKey(`${server.serviceId}/registeredServers/${server.clusterId}`));
    const shares = new Set<string>();
    for (const owner of owners) {
      for (const se of this.state.serverEndpoints.withIndex(owner))
        for (const ce of this.state.cloudEndpoints.withIndex(idKey(se.syncGroupId)))
          shares.add(`${ce.storageAccountResourceId}/fileServices/default/fileshares/${ce.azureFileShareName}`);
    }
    return [...shares];
  }

  /** Storage File Data Privileged Contributor at the share or above. */
  holdsShareRole(principalId: string, share: string): boolean {
    return this.state.roleAssignments
      .ofPrincipal(principalId)
      .some(
        (a) =>
          a.roleDefinitionId.toLowerCase().endsWith(ROLE_IDS.storageFileDataPrivilegedContributor) &&
          isAtOrAbove(a.scope, share),
      );
  }
}

export const machineOf = (state: EmulatorState, server: ServerRecord): MachineRecord | undefined =>
  new AgentWorld(state).machineOf(server);
export const sharesOf = (state: EmulatorState, server: ServerRecord): string[] =>
  new AgentWorld(state).sharesOf(server);
export const holdsShareRole = (state: EmulatorState, principalId: string, share: string): boolean =>
  new AgentWorld(state).holdsShareRole(principalId, share);

const ZERO_GUID = "00000000-0000-0000-0000-000000000000";

/** Azure writes an absent identity as the all-zero GUID (applicationId) or "" (latestApplicationId). */
export function presentGuid(value: string | undefined): string | undefined {
  return value && value !== ZERO_GUID ? value : undefined;
}

/** An Arc agent that is not Connected cannot get tokens for its identity (`azcmagent show` tells why). */
function identityUsable(machine: MachineRecord): boolean {
  return machine.kind !== "arc" || (machine.status ?? "Connected") === "Connected";
}

/**
 * The principal the agent authenticates with: its machine's current system
 * identity, when the machine can use it. `undefined` when nothing usable;
 * `null` when the server runs on no known machine (the emulator cannot tell,
 * and assumes it presents what the service expects).
 */
function presentedPrincipal(machine: MachineRecord | undefined): string | undefined | null {
  if (!machine) return null;
  return machine.identity && identityUsable(machine) ? machine.identity.principalId : undefined;
}

const samePrincipal = (a: string | undefined | null, b: string): boolean =>
  a === null || (a ?? "").toLowerCase() === b.toLowerCase();

/** The service's judgement of the server's agent version at `nowMs`, from the state's agent-version table. */
export function judgeAgentVersion(state: EmulatorState, server: ServerRecord, nowMs: number): void {
  const lifecycle = agentLifecycle(state.agentVersions, server.agentVersion, nowMs);
  server.agentVersionStatus = lifecycle.status;
  server.agentVersionExpiresAt = lifecycle.expiresAt;
}

/**
 * Brings one server's simulated agent up to `nowMs`. Evaluated lazily on every
 * request so results depend only on the simulated clock, not on timers.
 *
 * - Broken trust: once the service expects the server's identity
 *   (`identity: true`, `applicationId` set) and the agent uses it (active, or
 *   picking up a switch), an agent that presents another principal (its
 *   machine identity changed, or a PATCH named a principal that is not the
 *   machine's) is refused by the service: it stops heartbeating and
 *   reporting, until a PATCH names the principal it presents.
 * - Discovery: an agent (≥ 19.1) on a machine with a usable system-assigned
 *   identity reports it as `latestApplicationId` `discoveryMs` after the
 *   identity appeared (or the server registered), unless the service
 *   already uses it. No event is raised (as in Azure).
 * - Activation: `activationMs` after `PATCH identity:true`, the server uses
 *   its identity only if that identity holds Storage File Data Privileged
 *   Contributor on every share it syncs; otherwise it stays on its
 *   certificate and reports 0x80c86063, and retries on later evaluations. An
 *   Arc agent that is not Connected, an agent flagged `agentIgnoresSwitch`,
 *   or a machine identity of another Entra tenant than the service's never
 *   picks the switch up.
 */
export function evaluateAgent(
  state: EmulatorState,
  server: ServerRecord,
  nowMs: number,
  delays: AgentDelays,
  world: AgentWorld = new AgentWorld(state),
): void {
  judgeAgentVersion(state, server, nowMs);
  if (server.serverRole === "ClusterName") return;
  // An expired or blocked agent cannot connect: no heartbeat, no identity report, no switch picked up.
  if (cannotConnect(server.agentVersionStatus)) return;
  const machine = world.machineOf(server);
  // A server linked to a machine that no longer exists (deleted) has no identity to present.
  const presented = machine || !server.machineId ? presentedPrincipal(machine) : undefined;
  const pending = server.pendingSwitch;
  // File Sync does not support an identity from another Entra tenant than the service's: such a switch never takes.
  const crossTenant =
    machine?.identity !== undefined &&
    machine.identity.tenantId.toLowerCase() !== state.tenantOfScope(server.serviceId).toLowerCase();
  const pickingUp =
    pending !== undefined &&
    nowMs >= pending.sinceMs + delays.activationMs &&
    !server.agentIgnoresSwitch &&
    !crossTenant &&
    (!machine || identityUsable(machine));
  const usesIdentity =
    (server.activeAuthType === "ManagedIdentity" && !pending) || pickingUp || pending?.fromIdentity === true;
  const expected = presentGuid(server.applicationId);
  if (server.identity && expected && usesIdentity && !samePrincipal(presented, expected)) return;

  server.lastHeartBeatMs = Math.max(server.lastHeartBeatMs, nowMs);

  const identity = machine?.identity;
  if (identity && machine && identityUsable(machine) && agentSupportsIdentity(server.agentVersion)) {
    const reportAt = Math.max(identity.sinceMs, server.registeredAtMs) + delays.discoveryMs;
    if (nowMs >= reportAt) {
      const inUse = expected?.toLowerCase() === identity.principalId.toLowerCase();
      server.latestApplicationId = inUse ? undefined : identity.principalId;
    }
  }

  if (pending && pickingUp) {
    const missing = world.sharesOf(server).filter((share) => !world.holdsShareRole(pending.principalId, share));
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
 * adopts the identity the agent reported (or the `applicationId` the PATCH
 * names, already copied to `latestApplicationId`). A server that changes
 * principal is back on its certificate until its agent picks the switch up;
 * sending the same switch again does not restart the agent's pick-up.
 * Returns false when there is no identity to adopt.
 */
export function switchServerToIdentity(server: ServerRecord, nowMs: number): boolean {
  const principalId = presentGuid(server.latestApplicationId) ?? presentGuid(server.applicationId);
  if (!principalId || server.serverRole === "ClusterName") return false;
  const samePrincipalAsNow = server.applicationId?.toLowerCase() === principalId.toLowerCase();
  const alreadyActive = server.activeAuthType === "ManagedIdentity" && !server.pendingSwitch && samePrincipalAsNow;
  server.applicationId = principalId;
  server.latestApplicationId = undefined;
  server.identity = true;
  if (alreadyActive) return true;
  if (server.pendingSwitch?.principalId.toLowerCase() === principalId.toLowerCase()) return true;
  const fromIdentity = server.pendingSwitch?.fromIdentity === true || server.activeAuthType === "ManagedIdentity";
  server.pendingSwitch = { principalId, sinceMs: nowMs, ...(fromIdentity ? { fromIdentity } : {}) };
  server.activeAuthType = "Certificate";
  return true;
}
