import { z } from "zod";
import { SERVER_STATES } from "../status/records";
import type { ServerState } from "../reconcile/report";

/**
 * The API's bodies as zod schemas: requests are validated with them, and the
 * OpenAPI document's components are generated from them, so the document
 * cannot drift from what the code accepts and sends. (The tests check real
 * responses against the served document with an independent validator.)
 */
export const registry = z.registry<{ id: string }>();

const iso = z.string().describe("ISO 8601 UTC timestamp");
const stateEnum = z.enum(SERVER_STATES as [ServerState, ...ServerState[]]);

export const reconcileBodySchema = z
  .object({
    serviceId: z.string().optional().describe("A Storage Sync Service resource id inside MANAGED_SCOPES"),
    all: z.literal(true).optional().describe("Re-run every Storage Sync Service in MANAGED_SCOPES"),
    dryRun: z.boolean().optional().describe("Observe and plan only; nothing is written to Azure"),
  })
  .strict()
  .refine((b) => (b.serviceId !== undefined) !== (b.all === true), { message: "give exactly one of serviceId or all: true" })
  .register(registry, { id: "ReconcileRequest" });

export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .register(registry, { id: "Error" });

export const acceptedRunSchema = z
  .object({
    serviceId: z.string(),
    runId: z.string(),
    coalesced: z.boolean().describe("True when merged into a run that was already queued for the service"),
    statusUrl: z.string(),
  })
  .register(registry, { id: "AcceptedRun" });

export const reconcileAcceptedSchema = z
  .object({
    runs: z.array(acceptedRunSchema),
    failedScopes: z.array(z.object({ scope: z.string(), error: z.string() })).optional(),
  })
  .register(registry, { id: "ReconcileAccepted" });

export const countsSchema = z.object(Object.fromEntries(SERVER_STATES.map((s) => [s, z.number().int()]))).register(registry, { id: "StateCounts" });

export const serviceStatusSchema = z
  .object({
    serviceId: z.string(),
    identityType: z.string().optional(),
    principalId: z.string().optional(),
    useIdentity: z.boolean().optional(),
    converged: z.boolean().optional(),
    counts: countsSchema,
    lastRunId: z.string().optional(),
    lastRunAt: iso.optional(),
    lastRunStatus: z.string().optional(),
    lastError: z.string().optional(),
    poisonedAt: iso.optional(),
    poisonedRunId: z.string().optional(),
    poisonReason: z.string().optional(),
    warnings: z.array(z.string()),
    updatedAt: iso,
  })
  .register(registry, { id: "ServiceStatus" });

export const serverStatusSchema = z
  .object({
    serviceId: z.string(),
    serverId: z.string(),
    resourceId: z.string(),
    name: z.string(),
    serverRole: z.string().optional(),
    agentVersion: z.string().optional(),
    principalId: z.string().optional(),
    activeAuthType: z.string().optional(),
    state: stateEnum,
    reason: z.string(),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
    errorStatusCode: z.number().int().optional(),
    errorRequestId: z.string().optional(),
    remedy: z.string().optional(),
    eligibleAt: iso.optional(),
    switchedAt: iso.optional(),
    activationDueAt: iso.optional(),
    activeAt: iso.optional(),
    overdueAt: iso.optional(),
    lastCheckedAt: iso,
    lastRunId: z.string().optional(),
    switchAttempts: z.number().int(),
    autoReruns: z.number().int(),
  })
  .register(registry, { id: "ServerStatus" });

export const servicesListSchema = z
  .object({ services: z.array(serviceStatusSchema), totals: countsSchema })
  .register(registry, { id: "ServicesList" });

export const runSummarySchema = z
  .object({ runId: z.string(), status: z.string(), dryRun: z.boolean(), queuedAt: z.string(), finishedAt: z.string().optional(), triggerKind: z.string().optional() })
  .register(registry, { id: "RunSummary" });

export const serviceDetailSchema = z
  .object({ service: serviceStatusSchema, servers: z.array(serverStatusSchema), recentRuns: z.array(runSummarySchema) })
  .register(registry, { id: "ServiceDetail" });

export const serversListSchema = z
  .object({ state: stateEnum.optional(), servers: z.array(serverStatusSchema) })
  .register(registry, { id: "ServersList" });

const looseObject = z.object({}).catchall(z.unknown());

export const runRecordSchema = z
  .object({
    runId: z.string(),
    serviceId: z.string(),
    status: z.enum(["queued", "running", "succeeded", "completedWithFailures", "dryRun", "retrying", "failed", "poisoned", "rejected", "abandoned"]).describe(
      "abandoned: the run was left running past its lease (its worker stopped); the next run of the service repairs it",
    ),
    dryRun: z.boolean(),
    trigger: looseObject.describe("What asked for this run: event (id, operation, caller), http (caller), timer, discovery, retry"),
    coalescedTriggers: z.array(looseObject).describe("Requests merged into this run while it waited"),
    coalescedCount: z.number().int(),
    queuedAt: z.string(),
    startedAt: iso.optional(),
    finishedAt: iso.optional(),
    durationMs: z.number().optional(),
    attempt: z.number().int().optional(),
    worker: z.string().optional(),
    plan: z.array(looseObject).optional().describe("The planned actions (grants, identity, switches)"),
    outcomes: z.array(looseObject).optional().describe("Each action's outcome with the ARM request id"),
    servers: z.array(looseObject).optional(),
    armReads: z.number().int().optional(),
    armWrites: z.number().int().optional(),
    converged: z.boolean().optional(),
    error: z.string().optional(),
    errorCode: z.string().optional(),
    warnings: z.array(z.string()),
    followUps: z.array(z.string()),
  })
  .register(registry, { id: "RunRecord" });
