import { z } from "zod";
import {
  duplicateRowSchema,
  roleAssignmentQuotaSchema,
  runRowSchema,
  serverRowSchema,
  serverStateSchema,
  serviceRowSchema,
  stateCountsSchema,
  writeRowSchema,
} from "../store";

/**
 * The API's bodies as zod schemas: requests are validated with them, and the
 * OpenAPI document's components are generated from them, so the document
 * cannot drift from what the code accepts and sends. (The tests check real
 * responses against the served document with an independent validator.)
 */
export const registry = z.registry<{ id: string }>();

export const reconcileBodySchema = z
  .object({
    serviceId: z.string().optional().describe("A Storage Sync Service resource id inside MANAGED_SCOPES"),
    all: z.literal(true).optional().describe("Re-run every Storage Sync Service in MANAGED_SCOPES"),
    dryRun: z.boolean().optional().describe("Observe and plan only; nothing is written to Azure"),
  })
  .strict()
  .refine((b) => (b.serviceId !== undefined) !== (b.all === true), {
    message: "give exactly one of serviceId or all: true",
  })
  .register(registry, { id: "ReconcileRequest" });

z.object({ error: z.object({ code: z.string(), message: z.string() }) }).register(registry, { id: "Error" });

const acceptedRunSchema = z
  .object({
    serviceId: z.string(),
    runId: z.string(),
    coalesced: z.boolean().describe("True when merged into a run that was already queued for the service"),
    statusUrl: z.string(),
  })
  .register(registry, { id: "AcceptedRun" });

z.object({
  runs: z.array(acceptedRunSchema),
  failedScopes: z.array(z.object({ scope: z.string(), error: z.string() })).optional(),
}).register(registry, { id: "ReconcileAccepted" });

const countsSchema = stateCountsSchema.register(registry, { id: "StateCounts" });

const serviceStatusSchema = serviceRowSchema.register(registry, { id: "ServiceStatus" });

const serverStatusSchema = serverRowSchema.register(registry, { id: "ServerStatus" });

const quotaSchema = roleAssignmentQuotaSchema.register(registry, { id: "RoleAssignmentQuota" });

export const servicesListSchema = z
  .object({
    services: z.array(serviceStatusSchema),
    totals: countsSchema,
    roleAssignmentQuotas: z
      .array(quotaSchema)
      .optional()
      .describe(
        "Each subscription the runs granted in, its role assignments as last counted, fullest first (absent from APIs older than this field)",
      ),
  })
  .register(registry, { id: "ServicesList" });

const runSummarySchema = z
  .object({
    runId: z.string(),
    status: z.string(),
    dryRun: z.boolean(),
    queuedAt: z.string(),
    finishedAt: z.string().optional(),
    triggerKind: z.string().optional(),
  })
  .register(registry, { id: "RunSummary" });

export const serviceDetailSchema = z
  .object({ service: serviceStatusSchema, servers: z.array(serverStatusSchema), recentRuns: z.array(runSummarySchema) })
  .register(registry, { id: "ServiceDetail" });

export const serversListSchema = z
  .object({ state: serverStateSchema.optional(), servers: z.array(serverStatusSchema) })
  .register(registry, { id: "ServersList" });

runRowSchema.register(registry, { id: "RunRecord" });
writeRowSchema.register(registry, { id: "WriteRecord" });

/** GET /api/runs/{runId}: the run's record and its ARM write journal (every attempt's writes). */
export const runDetailSchema = runRowSchema
  .extend({
    writes: z
      .array(writeRowSchema)
      .describe("Every ARM write of the run, all attempts, in attempt order (the Writes table)"),
    duplicateDeliveries: z
      .array(duplicateRowSchema.pick({ runStatus: true, dequeueCount: true, receivedAt: true }))
      .describe(
        "Deliveries of the run's queue message after it had finished, acknowledged without running again (newest first, at most 50)",
      ),
  })
  .register(registry, { id: "RunDetail" });
export type RunDetail = z.output<typeof runDetailSchema>;

/** GET /api/service's body, as the status page renders it. */
export type ServiceDetail = z.output<typeof serviceDetailSchema>;
