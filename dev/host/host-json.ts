import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/** `extensions.queues` of host.json, with the Functions runtime's defaults. */
export interface QueueOptions {
  batchSize: number;
  newBatchThreshold: number;
  maxPollingIntervalMs: number;
  visibilityTimeoutMs: number;
  maxDequeueCount: number;
  messageEncoding: "base64" | "none";
}

export interface HostJson {
  queues: QueueOptions;
  functionTimeoutMs?: number;
}

/** Parses a .NET TimeSpan as host.json writes it: `hh:mm:ss`, `d.hh:mm:ss`, optional fraction. */
export function parseTimeSpan(text: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a TimeSpan (expected hh:mm:ss, e.g. 00:00:30)`);
  const [, days, hours, minutes, seconds] = match;
  return Math.round((((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000);
}

const timeSpan = (field: string) =>
  z.string({ message: `${field} must be a TimeSpan string such as "00:00:30"` }).transform((value, ctx) => {
    try {
      return parseTimeSpan(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `${field}: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

const queuesSchema = z
  .object({
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(32, "batchSize must be at most 32 (the Storage queue limit per receive)")
      .default(16),
    newBatchThreshold: z.number().int().min(0).optional(),
    maxPollingInterval: timeSpan("maxPollingInterval").default(60_000),
    visibilityTimeout: timeSpan("visibilityTimeout").default(0),
    maxDequeueCount: z.number().int().min(1).default(5),
    messageEncoding: z
      .enum(["base64", "none"], { message: 'messageEncoding must be "base64" or "none"' })
      .default("base64"),
  })
  .strip();

const hostJsonSchema = z.object({
  version: z.literal("2.0", { message: 'host.json "version" must be "2.0"' }),
  functionTimeout: timeSpan("functionTimeout").optional(),
  extensions: z.object({ queues: queuesSchema.prefault({}) }).prefault({}),
});

/**
 * Reads host.json from the project (a missing file means all defaults, as in
 * the runtime). `queueOverrides` replace fields of `extensions.queues` (tests
 * use it to shorten visibilityTimeout without editing the app's host.json).
 */
export function readHostJson(projectDir: string, queueOverrides: Record<string, unknown> = {}): HostJson {
  const file = path.join(projectDir, "host.json");
  const raw = (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { version: "2.0" }) as {
    extensions?: { queues?: object };
  };
  if (Object.keys(queueOverrides).length > 0) {
    raw.extensions = { ...raw.extensions, queues: { ...raw.extensions?.queues, ...queueOverrides } };
  }
  return parseHostJson(raw, file);
}

export function parseHostJson(raw: unknown, source = "host.json"): HostJson {
  const parsed = hostJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${source} is invalid:\n  - ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  - ")}`,
    );
  }
  const q = parsed.data.extensions.queues;
  return {
    functionTimeoutMs: parsed.data.functionTimeout,
    queues: {
      batchSize: q.batchSize,
      // The runtime's default is batchSize/2 per core; the local host is one worker.
      newBatchThreshold: q.newBatchThreshold ?? Math.floor(q.batchSize / 2),
      maxPollingIntervalMs: q.maxPollingInterval,
      visibilityTimeoutMs: q.visibilityTimeout,
      maxDequeueCount: q.maxDequeueCount,
      messageEncoding: q.messageEncoding,
    },
  };
}
