import type { RegisteredServerView, ArmErrorInfo } from "../azure";
import { isAgentTooOld } from "./agent-version";
import type { ServerState } from "./report";

/** How a registered server stands before any action of this run. */
export interface ServerClassification {
  state: Extract<ServerState, "NoIdentity" | "AgentTooOld" | "ClusterName" | "Eligible" | "Switched" | "Active" | "Failed">;
  /** The identity the server uses or should use: latestApplicationId, else applicationId. */
  principalId?: string;
  reason: string;
  /** A switched server whose machine identity changed: the principal it is still bound to (the repair replaces it). */
  repairFrom?: string;
  /** Still on Certificate after the activation window: the switch is sent again. */
  resend?: boolean;
  /** Why a server that must not be written (Failed) is held back. */
  error?: ArmErrorInfo;
  remedy?: string;
}

const eq = (a: string | undefined, b: string): boolean => (a ?? "").toLowerCase() === b.toLowerCase();

/**
 * The cmdlet's eligibility (Set-AzStorageSyncServiceIdentity in Azure/azure-powershell,
 * src/StorageSync): a non-zero latestApplicationId, or a Certificate
 * server with a non-zero applicationId. Beyond the cmdlet, it recognises a
 * server already on its identity (Active) and one whose switch was requested
 * and not yet picked up (Switched), so neither is patched again.
 */
export function classifyServer(server: RegisteredServerView, minAgentVersion: string): ServerClassification {
  if (eq(server.serverRole, "ClusterName")) {
    return { state: "ClusterName", reason: "Cluster name entry: never switched itself; its eligible nodes are granted on the cluster's shares." };
  }
  const latest = server.latestApplicationId;
  const current = server.applicationId;
  const principalId = latest ?? current;
  const onIdentity = eq(server.activeAuthType, "ManagedIdentity");
  if (onIdentity && current && (!latest || latest === current)) {
    return { state: "Active", principalId: current, reason: `Uses its managed identity ${current}.` };
  }
  // The switch copies latestApplicationId into applicationId and clears it; a
  // newer latestApplicationId (Arc identity reset) needs a switch of its own.
  if (server.identity === true && !onIdentity && current && (!latest || latest === current)) {
    return {
      state: "Switched",
      principalId: current,
      reason: `Switch to identity ${current} requested; waiting for the agent to pick it up.`,
    };
  }
  const eligible = latest !== undefined || (eq(server.activeAuthType, "Certificate") && current !== undefined);
  if (!eligible || !principalId) {
    // Below the minimum the agent cannot use an identity at all: AgentTooOld (CLI exit 2), not the benign NoIdentity.
    if (isAgentTooOld(server.agentVersion, minAgentVersion)) {
      return {
        state: "AgentTooOld",
        reason: `No managed identity reported, and agent ${server.agentVersion ?? "?"} is older than ${minAgentVersion}, too old to use one: upgrade the Azure File Sync agent, then re-run.`,
      };
    }
    return {
      state: "NoIdentity",
      reason:
        "No managed identity reported by the agent: keeps using its certificate and shared keys (enable the Arc or VM system-assigned identity; re-run once the agent reports it).",
    };
  }
  if (isAgentTooOld(server.agentVersion, minAgentVersion)) {
    return {
      state: "AgentTooOld",
      principalId,
      reason: `Agent ${server.agentVersion ?? "?"} is older than ${minAgentVersion}: upgrade the Azure File Sync agent, then re-run.`,
    };
  }
  return { state: "Eligible", principalId, reason: `Has identity ${principalId}; grants and switch planned.` };
}

/** States whose principal must hold the share role on the server's endpoints. */
export function needsShareGrants(state: ServerClassification["state"]): boolean {
  return state === "Eligible" || state === "Switched" || state === "Active";
}
