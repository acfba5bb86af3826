import { z } from "zod";

/**
 * The fault rule format, as tests and the admin API submit it. Parsed with zod
 * so a malformed rule posted to the admin API is refused with a message that
 * names the bad field instead of silently never matching.
 */
const statusEffect = z.object({
  kind: z.literal("status"),
  status: z.number().int().min(400).max(599),
  code: z.string().min(1).optional(),
  message: z.string().optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
});
const latencyEffect = z.object({ kind: z.literal("latency"), ms: z.number().int().min(0) });
const dropEffect = z.object({ kind: z.literal("drop") });
/**
 * A write answered as usual whose change does not stick: a later read still
 * shows the old state (ARM reads are eventually consistent; the product must
 * read back and not count such a write as done). The answer's body is the
 * resource as it stands. No effect on reads.
 */
const ignoreWriteEffect = z.object({ kind: z.literal("ignoreWrite") });

/**
 * A write applied (its change kept, its event published) whose answer never
 * arrives: the connection closes after ARM committed, as when a gateway or
 * the network drops it. The SDK retries with the same x-ms-client-request-id;
 * the repeat meets the new state. No effect on reads.
 */
const dropAfterApplyEffect = z.object({ kind: z.literal("dropAfterApply") });

/**
 * A success answered with one field of its body removed or of the wrong JSON
 * type (see off-spec.ts): what the product must notice instead of trusting.
 */
const offSpecEffect = z.object({
  kind: z.literal("offSpec"),
  field: z.string().min(1),
  change: z.enum(["remove", "wrongType"]),
});

export const faultEffectSchema = z.discriminatedUnion("kind", [
  statusEffect,
  latencyEffect,
  dropEffect,
  ignoreWriteEffect,
  dropAfterApplyEffect,
  offSpecEffect,
]);

export const faultMatchSchema = z.object({
  operationId: z.string().min(1).optional(),
  method: z.string().min(1).optional(),
  pathContains: z.string().min(1).optional(),
  isWrite: z.boolean().optional(),
});

export const faultRuleSchema = z.object({
  id: z.string().min(1).optional(),
  match: faultMatchSchema,
  effect: faultEffectSchema,
  times: z.number().int().min(1).optional(),
  probability: z.number().min(0).max(1).optional(),
});

export type FaultEffect = z.infer<typeof faultEffectSchema>;
export type FaultMatch = z.infer<typeof faultMatchSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema>;

/** Parses untrusted input into a rule; throws an Error naming each bad field. */
export function parseFaultRule(input: unknown): FaultRule {
  const result = faultRuleSchema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.join(".") || "(rule)"}: ${i.message}`).join("; ");
    throw new Error(`Invalid fault rule: ${details}`);
  }
  return result.data;
}
