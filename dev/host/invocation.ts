import { randomUUID } from "node:crypto";
import { InvocationContext, type LogLevel as FunctionsLogLevel, type TriggerMetadata } from "@azure/functions";
import { hooksFor, runHooks } from "./hooks";
import type { HostFunction } from "./host-function";
import { formatLogArgs, type HostLogger, type LogLevel } from "./logger";
import { QueueClients, encodeMessage } from "./queue/queue-clients";

/**
 * The scalar trigger metadata worth a log line (queue message id and dequeue
 * count, event id and type). HTTP metadata is left out: its headers and query
 * carry the function key.
 */
function traceableMetadata(
  fn: HostFunction,
  metadata: TriggerMetadata,
): Record<string, string | number | boolean> | undefined {
  if (fn.kind === "http") return undefined;
  const scalars = Object.entries(metadata).filter((e): e is [string, string | number | boolean] =>
    ["string", "number", "boolean"].includes(typeof e[1]),
  );
  return scalars.length > 0 ? Object.fromEntries(scalars) : undefined;
}

export interface InvocationResult {
  invocationId: string;
  ok: boolean;
  value?: unknown;
  error?: Error;
}

/**
 * Runs handlers as the worker does: a fresh InvocationContext per call, logs
 * through the host's logger, queue outputs written after success. Tracks
 * in-flight invocations so the host can wait for them when closing.
 */
export class Invoker {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly logger: HostLogger,
    private readonly queues: QueueClients,
    private readonly messageEncoding: "base64" | "none",
  ) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async invoke(
    fn: HostFunction,
    input: unknown,
    triggerMetadata: TriggerMetadata,
    reason: string,
  ): Promise<InvocationResult> {
    const run = this.run(fn, input, triggerMetadata, reason);
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  /** Resolves once every invocation started so far has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async run(
    fn: HostFunction,
    input: unknown,
    triggerMetadata: TriggerMetadata,
    reason: string,
  ): Promise<InvocationResult> {
    const invocationId = randomUUID();
    const started = Date.now();
    const write = (
      level: LogLevel,
      category: "host" | "function",
      message: string,
      fields: Record<string, unknown> = {},
    ): void =>
      this.logger.write({
        ...fields,
        time: new Date().toISOString(),
        level,
        category,
        functionName: fn.name,
        invocationId,
        message,
      });
    const { trigger } = fn.registration;
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      triggerMetadata,
      options: { trigger: { ...trigger, name: trigger.bindingName }, extraInputs: [], extraOutputs: [] },
      logHandler: (level: FunctionsLogLevel, ...args: unknown[]) => {
        if (level !== "none") write(level, "function", formatLogArgs(args));
      },
    });
    write("information", "host", `Executing 'Functions.${fn.name}' (Reason='${reason}', Id=${invocationId})`, {
      trigger: traceableMetadata(fn, triggerMetadata),
    });
    try {
      const value = await this.callWithHooks(fn, input, context);
      await this.writeQueueOutputs(fn, context, value);
      write(
        "information",
        "host",
        `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${Date.now() - started}ms)`,
        {
          durationMs: Date.now() - started,
        },
      );
      return { invocationId, ok: true, value };
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      write(
        "error",
        "host",
        `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${Date.now() - started}ms): ${error.message}`,
        {
          durationMs: Date.now() - started,
          error: { name: error.name, message: error.message, stack: error.stack },
        },
      );
      return { invocationId, ok: false, error };
    }
  }

  /**
   * The handler between the app's preInvocation and postInvocation hooks, as
   * the worker runs it: pre hooks may replace the inputs or the handler, post
   * hooks see the result or error and may replace either.
   */
  private async callWithHooks(fn: HostFunction, input: unknown, context: InvocationContext): Promise<unknown> {
    if (hooksFor("preInvocation").length === 0 && hooksFor("postInvocation").length === 0)
      return fn.registration.handler(input, context);
    const hookData: Record<string, unknown> = {};
    const pre: Record<string, unknown> = {
      hookData,
      invocationContext: context,
      inputs: [input],
      functionCallback: fn.registration.handler,
    };
    await runHooks("preInvocation", pre);
    const inputs = Array.isArray(pre.inputs) ? (pre.inputs as unknown[]) : [input];
    const handler = pre.functionCallback as (...args: unknown[]) => unknown;
    const post: Record<string, unknown> = { hookData, invocationContext: context, inputs };
    try {
      post.result = await handler(...inputs, context);
    } catch (error) {
      post.error = error;
    }
    await runHooks("postInvocation", post);
    if (post.error !== undefined && post.error !== null) throw post.error;
    return post.result;
  }

  private async writeQueueOutputs(fn: HostFunction, context: InvocationContext, returned: unknown): Promise<void> {
    for (const output of fn.queueOutputs) {
      const value = output.bindingName === "$return" ? returned : context.extraOutputs.get(output.bindingName);
      if (value === undefined || value === null) continue;
      const items = Array.isArray(value) ? value : [value];
      const queue = await this.queues.queue(output.connection, output.queueName);
      for (const item of items) {
        const text = typeof item === "string" ? item : JSON.stringify(item);
        await queue.sendMessage(encodeMessage(text, this.messageEncoding));
      }
    }
  }
}
