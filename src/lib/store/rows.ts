import { z } from "zod";
import { WRITE_KINDS, type WriteKind } from "../azure";
import type { ActionOutcome, PlannedActionBase, ServerState } from "../reconcile";
import type { Trigger } from "../queue/messages";

/**
 * Every table row, declared once: the TypeScript types are inferred from these
 * schemas, stored entities are decoded with them (decodeRow), and the HTTP
 * API's OpenAPI components are these same schemas.
 */
const iso = z.string().describe("ISO 8601 UTC timestamp");

export const SERVER_STATES = [
  "NoIdentity",
  "AgentTooOld",
  "AgentExpired",
  "ClusterName",
  "Eligible",
  "Switched",
  "Active",
  "ActivationOverdue",
  "Failed",
] as const satisfies readonly ServerState[];
export const serverStateSchema = z.enum(SERVER_STATES);

export const stateCountsSchema = z.object(
  Object.fromEntries(SERVER_STATES.map((s) => [s, z.number().int().default(0)])) as Record<
    ServerState,
    z.ZodDefault<z.ZodNumber>
  >,
);
export type StateCounts = Record<ServerState, number>;

/** A JSON value the engine or the queue produced, stored as written (its own type lives with its producer). */
const json = <T>(description: string) =>
  z.object({}).catchall(z.unknown()).describe(description) as unknown as z.ZodType<T>;
const jsonItem = <T>() => z.object({}).catchall(z.unknown()) as unknown as z.ZodType<T>;

const runStatusSchema = z
  .enum([
    "queued", // accepted, waiting in the queue (possibly coalescing further requests)
    "running",
    "succeeded", // every action succeeded (or was already present)
    "completedWithFailures", // ran to the end, some actions failed (see outcomes)
    "dryRun", // observed and planned only
    "retrying", // a transient failure; the queue will deliver it again
    "failed", // a terminal failure (e.g. 403, 404); not retried
    "poisoned", // transient failures on every attempt; moved to the poison queue
    "rejected", // the message itself was invalid
    "abandoned", // reported (never stored) for a "running" row whose lease expired: its worker died
  ])
  .describe(
    "abandoned: the run was left running past its lease (its worker stopped); the next run of the service repairs it",
  );
export type RunStatus = z.infer<typeof runStatusSchema>;

/** Servers table: the engine's verdict on one registered server, flattened, plus the history ARM forgets. */
export const serverRowSchema = z.object({
  serviceId: z.string(),
  serverId: z.string(),
  resourceId: z.string().default(""),
  name: z.string().default(""),
  serverRole: z.string().optional(),
  agentVersion: z.string().optional(),
  principalId: z.string().optional(),
  activeAuthType: z.string().optional(),
  registeredWith: z
    .enum(["certificate", "managedIdentity"])
    .optional()
    .describe("managedIdentity: registered by Register-AzStorageSyncServer -ApplicationId, never switched"),
  state: serverStateSchema,
  reason: z.string().default(""),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  errorStatusCode: z.number().int().optional(),
  errorRequestId: z.string().optional(),
  remedy: z.string().optional(),
  eligibleAt: iso.optional(),
  switchedAt: iso.optional(),
  /** switchedAt + ACTIVATION_WINDOW: when the activation check looks again. */
  activationDueAt: iso.optional(),
  activeAt: iso.optional(),
  overdueAt: iso.optional(),
  lastCheckedAt: iso.default(""),
  lastRunId: z.string().optional(),
  /** How many runs sent the switch for this server. */
  switchAttempts: z.number().int().default(0),
  /** Automatic re-runs the activation check asked for since the last switch (at most one). */
  autoReruns: z.number().int().default(0),
});
export type ServerRecord = z.infer<typeof serverRowSchema>;

/** Services table: one Storage Sync Service. `counts` and `warnings` are JSON columns. */
/** One subscription's role-assignment count as a run read it (before its grants) plus what the run created. */
export const roleAssignmentQuotaSchema = z.object({
  subscriptionId: z.string(),
  count: z.number().int().describe("Assignments at subscription, resource-group and resource scope"),
  limit: z.number().int().describe("Azure's limit per subscription (4,000)"),
  orphaned: z.number().int().describe("Of count: assignments whose principal was deleted (Identity not found)"),
  productStale: z.number().int().describe("Of orphaned: this product's grants of replaced identities"),
  checkedAt: iso,
});
export type RoleAssignmentQuotaRecord = z.infer<typeof roleAssignmentQuotaSchema>;

export const serviceRowSchema = z.object({
  serviceId: z.string(),
  identityType: z.string().optional(),
  principalId: z.string().optional(),
  useIdentity: z.boolean().optional(),
  converged: z.boolean().optional(),
  counts: stateCountsSchema.default(() => Object.fromEntries(SERVER_STATES.map((s) => [s, 0])) as StateCounts),
  lastRunId: z.string().optional(),
  lastRunAt: iso.optional(),
  lastRunStatus: runStatusSchema.optional(),
  lastError: z.string().optional(),
  /** Set when a request for this service exhausted its retries. */
  poisonedAt: iso.optional(),
  poisonedRunId: z.string().optional(),
  poisonReason: z.string().optional(),
  /**
   * Set when ARM said the service no longer exists (a run's GET or the sweep's list): its rows stay for the record,
   * nothing is scheduled.
   */
  deletedAt: iso.optional(),
  deletedReason: z.string().optional(),
  warnings: z.array(z.string()).default([]),
  /** The subscriptions this service's runs granted in, with their role-assignment quota as last read. */
  roleAssignmentQuotas: z.array(roleAssignmentQuotaSchema).optional(),
  updatedAt: iso.default(""),
});
export type ServiceRecord = z.infer<typeof serviceRowSchema>;
export const SERVICE_JSON_COLUMNS = ["counts", "warnings", "roleAssignmentQuotas"] as const;

const runServerSummarySchema = z.object({
  serverId: z.string(),
  name: z.string(),
  state: serverStateSchema,
  principalId: z.string().optional(),
  switchedThisRun: z.boolean(),
});
export type RunServerSummary = z.infer<typeof runServerSummarySchema>;

/** One delivery of a run's queue message that got as far as running it. */
export const runAttemptSchema = z.object({
  /** The queue's dequeue count of this delivery. */
  attempt: z.number().int(),
  worker: z.string(),
  startedAt: iso,
  finishedAt: iso.optional(),
  status: z
    .enum([
      "running",
      "interrupted",
      "succeeded",
      "completedWithFailures",
      "dryRun",
      "retrying",
      "failed",
      "poisoned",
      "leaseLost",
      "awaitingWrites",
    ])
    .describe(
      "interrupted: a later attempt found this one still running (its host died or lost the message); leaseLost: its worker lost the service's lease (a renewal found it taken, or it expired by the worker's own clock) and stopped before its next write; the run was queued again; awaitingWrites: an earlier attempt's write was not in effect and could still reach ARM, so this attempt wrote nothing and the run was queued again for when it has landed or no longer can",
    ),
  error: z.string().optional(),
  errorCode: z.string().optional(),
});
export type RunAttempt = z.infer<typeof runAttemptSchema>;

/**
 * Runs table, the audit trail: one row per reconcile, written in stages
 * (queued → running → finished) with Merge so every stage only adds what it
 * learned. Who asked, what was planned, what each ARM write did (request id),
 * how many ARM calls, how long.
 */
export const runRowSchema = z.object({
  runId: z.string(),
  serviceId: z.string(),
  status: runStatusSchema.default("queued"),
  dryRun: z.boolean().default(false),
  trigger: json<Trigger>(
    "What asked for this run: event (id, operation, caller), http (caller), timer, discovery, retry",
  ),
  /** Requests merged into this run while it waited (coalescing). */
  coalescedTriggers: z.array(jsonItem<Trigger>()).default([]).describe("Requests merged into this run while it waited"),
  coalescedCount: z.number().int().default(0),
  queuedAt: z.string().default(""),
  startedAt: iso.optional(),
  finishedAt: iso.optional(),
  durationMs: z.number().optional(),
  /** The queue's dequeue count of the attempt that wrote this. */
  attempt: z.number().int().optional(),
  worker: z.string().optional(),
  /** Every attempt, oldest first; the run's status/error/errorCode are the last one's. */
  attempts: z.array(runAttemptSchema).default([]),
  plan: z.array(jsonItem<PlannedActionBase>()).optional().describe("The planned actions (grants, identity, switches)"),
  outcomes: z.array(jsonItem<ActionOutcome>()).optional().describe("Each action's outcome with the ARM request id"),
  servers: z.array(runServerSummarySchema).optional(),
  armReads: z.number().int().optional(),
  armWrites: z.number().int().optional(),
  converged: z.boolean().optional(),
  error: z.string().optional(),
  errorCode: z.string().optional(),
  warnings: z.array(z.string()).default([]),
  /** What this run scheduled afterwards (activation checks, discovery re-checks). */
  followUps: z.array(z.string()).default([]),
});
export type RunRecord = z.infer<typeof runRowSchema>;
export const RUN_JSON_COLUMNS = [
  "trigger",
  "coalescedTriggers",
  "attempts",
  "plan",
  "outcomes",
  "servers",
  "warnings",
  "followUps",
] as const;

/** Runs table, partition "_rejected": an invalid queue message kept for the operator. */
export const rejectedRowSchema = z.object({
  error: z.string().default(""),
  message: z.string().default(""),
  rejectedAt: z.string().default(""),
});
export type RejectedMessage = z.infer<typeof rejectedRowSchema>;

/**
 * Runs table, partition "_duplicates": a delivery of a finished run's message, acknowledged without touching the run.
 */
export const duplicateRowSchema = z.object({
  runId: z.string(),
  serviceId: z.string(),
  /** The run's (final) status when the duplicate arrived. */
  runStatus: runStatusSchema,
  dequeueCount: z.number().int(),
  receivedAt: iso,
});
export type DuplicateDelivery = z.infer<typeof duplicateRowSchema>;

/** Due table: an activation check keyed by when it falls due. */
export const dueRowSchema = z.object({
  serviceId: z.string(),
  serverId: z.string(),
  serverResourceId: z.string().default(""),
  principalId: z.string().optional(),
  /** The switch this check belongs to; a later switch makes the entry stale. */
  switchedAt: z.string().default(""),
  dueAt: z.string(),
});
export type DueEntry = z.infer<typeof dueRowSchema>;

/** Leases table: who reconciles a service right now, and until when. */
export const leaseRowSchema = z.object({
  serviceId: z.string(),
  owner: z.string(),
  expiresAt: z.string(),
  acquiredAt: z.string(),
  /** The fencing token: one more on every acquire; the row is never deleted, so it only grows. */
  generation: z.number().int().default(0),
});
export type LeaseRow = z.infer<typeof leaseRowSchema>;

/** Pending table, row "pending": the run waiting in the queue for a service. */
export const pendingRowSchema = z.object({
  serviceId: z.string(),
  runId: z.string(),
  createdAt: z.string().default(""),
  /** When the queued message becomes visible. */
  dueAt: z.string(),
  /** Set once the run's message is on the queue; until then a request merged into it could be lost with its creator. */
  queuedAt: z.string().optional(),
});
export type PendingMarker = z.infer<typeof pendingRowSchema>;

/**
 * Machines table: an Arc machine or VM whose current principal the app has already acted on. `services` is a JSON
 * column.
 */
export const machineRowSchema = z.object({
  machineId: z.string(),
  principalId: z.string(),
  seenAt: z.string().default(""),
  services: z.array(z.string()).default([]),
});
export type KnownMachine = z.infer<typeof machineRowSchema>;

export { WRITE_KINDS, type WriteKind };

export const WRITE_STATUSES = ["intended", "applied", "alreadyPresent", "failed", "notApplied"] as const;
export type WriteStatus = (typeof WRITE_STATUSES)[number];

/**
 * Writes table, the ARM write journal: one row per ARM write the engine made,
 * written `intended` before the call and completed after it, so a write of an
 * attempt that was killed mid-call is still on record (and resolved by the
 * service's next run by reading ARM).
 */
export const writeRowSchema = z.object({
  serviceId: z.string(),
  runId: z.string(),
  attempt: z.number().int(),
  /** The planned action this write carries out (its id in the run's plan). */
  actionId: z.string(),
  kind: z.enum(WRITE_KINDS),
  method: z.enum(["PUT", "PATCH", "DELETE"]),
  /** The resource id written. */
  target: z.string(),
  principalId: z.string().optional(),
  roleDefinitionGuid: z.string().optional(),
  scope: z.string().optional(),
  /** The `x-ms-client-request-id` sent with the write; ARM's Activity Log shows it as `httpRequest.clientRequestId`. */
  clientRequestId: z.string(),
  intendedAt: iso,
  status: z
    .enum(WRITE_STATUSES)
    .describe(
      "intended: recorded before the call, outcome not yet known; applied: ARM made the change; alreadyPresent: ARM changed nothing (409 RoleAssignmentExists, or 200 for an identical assignment already there); failed: ARM refused, nothing changed; notApplied: an interrupted intent that a later run found not in effect (if someone else undid it in between, only ARM's Activity Log shows it)",
    ),
  armRequestId: z.string().optional(),
  finishedAt: iso.optional(),
  /**
   * The writer's call ended without an answer that says whether ARM applied it (no response, 408 or 5xx, after the
   * SDK's retries): the intent stays open for a later run to resolve by reading ARM, but nothing of it is on its way.
   */
  unansweredAt: iso.optional(),
  errorCode: z.string().optional(),
  error: z.string().optional(),
  /** For an intent a killed attempt left: the run id and attempt that resolved it, as `<runId>#<attempt>`. */
  resolvedBy: z.string().optional(),
  /** The generation (fencing token) of the service's lease the writing attempt held. */
  leaseGeneration: z.number().int().optional(),
  /** The lease generation of the attempt that resolved this intent: always newer than the writer's. */
  resolvedByGeneration: z.number().int().optional(),
});
export type WriteRecord = z.infer<typeof writeRowSchema>;

/** Journal entries as a statement "this write happened": the ones a check counts against ARM's own log. */
export const claimsWrite = (status: WriteStatus): boolean => status === "intended" || status === "applied";
