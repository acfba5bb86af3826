import { z } from "zod";
import { GUID, storageSyncServiceIdProblem } from "../azure";
import { resourceKey } from "../tables/keys";
import { parseRunId, RUN_ID } from "../tables/run-id";

/**
 * What goes on the reconcile queue: a key (the service), never the event.
 * The trigger rides along only for the audit trail ("who asked, and why").
 */
/** A Storage Sync Service id with names ARM allows (one check, shared with the HTTP API and events). */
const storageSyncServiceIdSchema = z
  .string()
  .max(1024)
  .superRefine((value, ctx) => {
    const problem = storageSyncServiceIdProblem(value);
    if (problem)
      ctx.addIssue({
        code: "custom",
        message: `serviceId is not a valid Storage Sync Service resource id: ${problem}`,
      });
  });

const triggerSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("event"),
    eventId: z.string().min(1).max(200),
    operationName: z.string().max(300),
    subject: z.string().max(2000),
    eventTime: z.string().max(64).optional(),
    /** Who made the ARM write, as Event Grid reports it (claims name/appid). */
    caller: z.string().max(300).optional(),
  }),
  z.object({
    kind: z.literal("http"),
    /** Who the platform vouches for: the user App Service Authentication signed in, else the function key holder. */
    caller: z.string().max(300),
    /** What vouched for `caller` (absent on runs queued before it was recorded). */
    callerVerifiedBy: z.enum(["appServiceAuthentication", "functionKey"]).optional(),
    /** A principal name the request claimed without App Service Authentication to vouch for it: unverified. */
    claimedCaller: z.string().max(300).optional(),
    /** The address the platform's front end appended to X-Forwarded-For. */
    clientIp: z.string().max(100).optional(),
    /** X-Forwarded-For entries before the front end's own: written by the client, unverified. */
    forwardedFor: z.string().max(300).optional(),
    userAgent: z.string().max(300).optional(),
  }),
  z.object({
    kind: z.literal("timer"),
    timer: z.enum(["fullSweep", "activationCheck"]),
    reason: z.string().max(500).optional(),
  }),
  z.object({
    kind: z.literal("retry"),
    previousRunId: z.string().max(100),
    /** Index into DISCOVERY_RECHECK_DELAYS of the back-off that led to this run. */
    attempt: z.number().int().min(0).max(100),
    reason: z.string().max(500),
    /** New servers whose agent had not reported an identity yet: looked at again until it does. */
    waitingFor: z.array(z.string().max(64)).max(100).optional(),
  }),
  z.object({
    kind: z.literal("discovery"),
    machineId: z.string().max(2000),
    principalId: z.string().regex(GUID),
    attempt: z.number().int().min(0).max(100),
  }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

/** A machine whose new identity the agent has not reported yet: re-checked with back-off. */
const discoveryWatchSchema = z.object({
  machineId: z.string().max(2000),
  principalId: z.string().regex(GUID),
  /** Index into DISCOVERY_RECHECK_DELAYS of the delay that led to this check. */
  attempt: z.number().int().min(0).max(100),
  /** The principal the app recorded for the machine before: a switched server still bound to it needs a repair. */
  previousPrincipalId: z.string().regex(GUID).optional(),
  /** The names the machine answers to, to find its server when no principal links them. */
  hostNames: z.array(z.string().max(300)).max(10).optional(),
  tenantId: z.string().regex(GUID).optional(),
  /** Arc properties.status when the event was handled. */
  status: z.string().max(40).optional(),
});
export type DiscoveryWatch = z.infer<typeof discoveryWatchSchema>;

const reconcileRequestSchema = z.object({
  v: z.literal(1),
  kind: z.literal("reconcile"),
  serviceId: storageSyncServiceIdSchema,
  runId: z.string().regex(RUN_ID, "runId is malformed"),
  dryRun: z.boolean(),
  trigger: triggerSchema,
  requestedAt: z.string().max(64),
  discovery: z.array(discoveryWatchSchema).max(50).optional(),
  /** Servers still on Certificate after the activation window: this run sends their switch again. */
  overdue: z.array(z.string().regex(GUID)).max(100).optional(),
});
export type ReconcileRequest = z.infer<typeof reconcileRequestSchema>;

export type ParsedMessage = { ok: true; request: ReconcileRequest } | { ok: false; error: string; serviceId?: string };

/**
 * Validates a queue message as the host hands it over: already JSON-decoded
 * (an object), or a string when it was not JSON. Never throws.
 */
export function parseReconcileMessage(raw: unknown): ParsedMessage {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      // Cut without leaving half a surrogate pair (the error is stored in Table Storage).
      return { ok: false, error: `message is not JSON: ${raw.slice(0, 80).replace(/[\uD800-\uDBFF]$/, "")}` };
    }
  }
  const parsed = reconcileRequestSchema.safeParse(value);
  if (parsed.success) {
    // The run id names the audit partition it is written to: it must be this service's, or the
    // run would show up among another service's runs.
    if (parseRunId(parsed.data.runId)?.partitionKey !== resourceKey(parsed.data.serviceId)) {
      return {
        ok: false,
        error: `invalid reconcile message: runId ${parsed.data.runId} is not a run of ${parsed.data.serviceId}`,
        serviceId: parsed.data.serviceId,
      };
    }
    return { ok: true, request: parsed.data };
  }
  const serviceId =
    typeof value === "object" && value !== null && typeof (value as { serviceId?: unknown }).serviceId === "string"
      ? (value as { serviceId: string }).serviceId.slice(0, 300)
      : undefined;
  // A large broken message can have thousands of issues; the first few say what is wrong.
  const issues = parsed.error.issues;
  const named = issues.slice(0, MAX_ISSUES).map((i) => `${i.path.join(".") || "message"}: ${i.message.slice(0, 200)}`);
  if (issues.length > MAX_ISSUES) named.push(`and ${issues.length - MAX_ISSUES} more`);
  return { ok: false, error: `invalid reconcile message: ${named.join("; ")}`, serviceId };
}

const MAX_ISSUES = 10;
