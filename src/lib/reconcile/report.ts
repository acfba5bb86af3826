import type { ArmErrorInfo, ArmCallCounts, RoleAssignmentQuota } from "../azure";

/**
 * What one reconcile of one Storage Sync Service produced. This is the contract
 * between the engine (src/lib/reconcile), the CLI, the Functions app (which
 * stores it in Table Storage) and the HTTP status API. Extend it; do not rename.
 */

/** Where a registered server stands in its move to managed identity. */
export type ServerState =
  | "NoIdentity" // no identity reported by the agent: keeps shared keys, not an error
  | "AgentTooOld" // agent below MIN_AGENT_VERSION: not switched
  | "AgentExpired" // agentVersionStatus Expired or Blocked: cannot connect, so neither reports an identity nor picks up a switch
  | "ClusterName" // a cluster's name entry: never switched itself
  | "Eligible" // has an identity; grants or switch still to do
  | "Switched" // PATCH identity:true done; waiting out the activation window
  | "Active" // activeAuthType ManagedIdentity with the expected principal
  | "ActivationOverdue" // window passed, still Certificate (set by the activation check)
  | "Failed"; // a grant or the switch failed; see error and remedy

export interface ServerVerdict {
  /** The registered server's GUID (the last segment of its resource id). */
  serverId: string;
  resourceId: string;
  /** friendlyName, else serverName. */
  name: string;
  serverRole?: string;
  agentVersion?: string;
  /** The identity the server should use (latestApplicationId, else applicationId). */
  principalId?: string;
  activeAuthType?: string;
  state: ServerState;
  /** One sentence an administrator understands. */
  reason: string;
  error?: ArmErrorInfo;
  remedy?: string;
  /** True when this run sent the PATCH identity:true. */
  switchedThisRun: boolean;
  /**
   * How the server was registered: with a certificate (switched later), or with its managed identity from the start.
   */
  registeredWith?: "certificate" | "managedIdentity";
}

type ActionKind =
  "deleteRoleAssignment" | "enableServiceIdentity" | "grantRole" | "setUseIdentity" | "switchServer" | "repairServer";

export interface PlannedActionBase {
  /** Stable within a plan, e.g. "grant:<assignmentName>". */
  id: string;
  kind: ActionKind;
  /** Ids of actions that must succeed first. */
  dependsOn: string[];
  /** Human-readable, printed by the dry run. */
  description: string;
}

export type ActionStatus = "succeeded" | "alreadyPresent" | "failed" | "skipped";

export interface ActionOutcome {
  actionId: string;
  status: ActionStatus;
  attempts: number;
  durationMs: number;
  /** x-ms-request-id of the (last) ARM write. */
  requestId?: string;
  error?: ArmErrorInfo;
  remedy?: string;
  /** Why it was skipped (a dependency failed, dry run …). */
  skippedBecause?: string;
}

export interface ServiceSummary {
  serviceId: string;
  identityType?: string;
  principalId?: string;
  useIdentity: boolean;
}

export interface ReconcileReport<Action extends PlannedActionBase = PlannedActionBase> {
  serviceId: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** The service as it stands after this run (as planned, in a dry run). */
  service: ServiceSummary;
  plan: Action[];
  outcomes: ActionOutcome[];
  servers: ServerVerdict[];
  armCalls: ArmCallCounts;
  /** True when nothing is left to do for any server that can be brought over. */
  converged: boolean;
  warnings: string[];
  /** The role-assignment quota of each subscription this run planned grants in (read before any grant was sent). */
  roleAssignmentQuotas?: RoleAssignmentQuota[];
}
