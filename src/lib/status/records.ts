import type { ServerState, ServerVerdict } from "../reconcile/report";

/** What the servers table says about one registered server: the engine's verdict, flattened for a table row, plus its history. */
export interface ServerRecord
  extends Pick<ServerVerdict, "serverId" | "resourceId" | "name" | "serverRole" | "agentVersion" | "principalId" | "activeAuthType" | "state" | "reason" | "remedy"> {
  serviceId: string;
  errorCode?: string;
  errorMessage?: string;
  errorStatusCode?: number;
  errorRequestId?: string;
  eligibleAt?: string;
  switchedAt?: string;
  /** switchedAt + ACTIVATION_WINDOW: when the activation check looks again. */
  activationDueAt?: string;
  activeAt?: string;
  overdueAt?: string;
  lastCheckedAt: string;
  lastRunId?: string;
  /** How many runs sent the switch for this server. */
  switchAttempts: number;
  /** Automatic re-runs the activation check asked for since the last switch (at most one). */
  autoReruns: number;
}

export const SERVER_STATES: readonly ServerState[] = [
  "NoIdentity",
  "AgentTooOld",
  "ClusterName",
  "Eligible",
  "Switched",
  "Active",
  "ActivationOverdue",
  "Failed",
];

export type StateCounts = Record<ServerState, number>;

export function emptyCounts(): StateCounts {
  return Object.fromEntries(SERVER_STATES.map((s) => [s, 0])) as StateCounts;
}

export function countByState(servers: Iterable<{ state: ServerState }>): StateCounts {
  const counts = emptyCounts();
  for (const s of servers) counts[s.state] += 1;
  return counts;
}

export type RunStatus =
  | "queued" // accepted, waiting in the queue (possibly coalescing further requests)
  | "running"
  | "succeeded" // every action succeeded (or was already present)
  | "completedWithFailures" // ran to the end, some actions failed (see outcomes)
  | "dryRun" // observed and planned only
  | "retrying" // a transient failure; the queue will deliver it again
  | "failed" // a terminal failure (e.g. 403, 404); not retried
  | "poisoned" // transient failures on every attempt; moved to the poison queue
  | "rejected" // the message itself was invalid
  | "abandoned"; // reported (never stored) for a "running" row whose lease expired: its worker died

/** What the services table says about one Storage Sync Service. */
export interface ServiceRecord {
  serviceId: string;
  identityType?: string;
  principalId?: string;
  useIdentity?: boolean;
  converged?: boolean;
  counts: StateCounts;
  lastRunId?: string;
  lastRunAt?: string;
  lastRunStatus?: RunStatus;
  lastError?: string;
  /** Set when a request for this service exhausted its retries. */
  poisonedAt?: string;
  poisonedRunId?: string;
  poisonReason?: string;
  warnings: string[];
  updatedAt: string;
}

export function isServerState(value: unknown): value is ServerState {
  return typeof value === "string" && (SERVER_STATES as readonly string[]).includes(value);
}
