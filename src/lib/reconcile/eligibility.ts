import type { RegisteredServerView, ArmErrorInfo } from "../azure";
import { isAgentTooOld } from "./agent-version";
import type { ServerState } from "./report";

/** How a registered server stands before any action of this run. */
export interface ServerClassification {
  state: Extract<
    ServerState,
    "NoIdentity" | "AgentTooOld" | "AgentExpired" | "ClusterName" | "Eligible" | "Switched" | "Active" | "Failed"
  >;
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

/** Where Microsoft lists the agent versions still supported and their expiration dates. */
export const SUPPORTED_AGENTS_URL =
  "https://learn.microsoft.com/azure/storage/file-sync/file-sync-release-notes#supported-versions";

const dateOf = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : "an unknown date");

/**
 * The service's own judgement of the agent (agentVersionStatus, 2022-09-01):
 * an Expired or Blocked agent cannot connect, so it can neither report an
 * identity nor pick up a switch. A version constant goes stale; this does not.
 */
function agentLifecycle(server: RegisteredServerView): { reason: string; remedy: string } | undefined {
  const status = server.agentVersionStatus;
  if (status !== "Expired" && status !== "Blocked") return undefined;
  const version = server.agentVersion ?? "?";
  const reason =
    status === "Expired"
      ? `Agent ${version} expired on ${dateOf(server.agentVersionExpirationDate)}: it can no longer connect to the Storage Sync Service, so it neither reports its identity nor picks up a switch.`
      : `Agent ${version} is blocked by the Storage Sync Service: it cannot connect, so it neither reports its identity nor picks up a switch.`;
  return {
    reason,
    remedy: `Upgrade the Azure File Sync agent to a supported version (the supported agents and their expiration dates: ${SUPPORTED_AGENTS_URL}), then re-run.`,
  };
}

/** NearExpiry: a warning with the date, the server otherwise handled as usual. */
export function nearExpiryWarning(server: RegisteredServerView): string | undefined {
  if (server.agentVersionStatus !== "NearExpiry") return undefined;
  return `${server.name}: agent ${server.agentVersion ?? "?"} expires on ${dateOf(server.agentVersionExpirationDate)}; after that it cannot connect to the service. Upgrade to a supported agent before then: ${SUPPORTED_AGENTS_URL}`;
}

/**
 * The cmdlet's eligibility (Set-AzStorageSyncServiceIdentity in Azure/azure-powershell,
 * src/StorageSync): a non-zero latestApplicationId, or a Certificate
 * server with a non-zero applicationId. Beyond the cmdlet, it recognises a
 * server already on its identity (Active) and one whose switch was requested
 * and not yet picked up (Switched), so neither is patched again.
 */
export function classifyServer(server: RegisteredServerView, minAgentVersion: string): ServerClassification {
  if (eq(server.serverRole, "ClusterName")) {
    return {
      state: "ClusterName",
      reason: "Cluster name entry: never switched itself; its eligible nodes are granted on the cluster's shares.",
    };
  }
  const latest = server.latestApplicationId;
  const current = server.applicationId;
  const principalId = latest ?? current;
  const lifecycle = agentLifecycle(server);
  if (lifecycle)
    return {
      state: "AgentExpired",
      ...(principalId ? { principalId } : {}),
      reason: lifecycle.reason,
      remedy: lifecycle.remedy,
    };
  const onIdentity = eq(server.activeAuthType, "ManagedIdentity");
  if (onIdentity && current && (!latest || latest === current)) {
    if (server.registeredWithIdentity) {
      return {
        state: "Active",
        principalId: current,
        reason: `Registered with its managed identity ${current} (Register-AzStorageSyncServer -ApplicationId, no certificate): never switched; granted on the share of each of its server endpoints.`,
      };
    }
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
