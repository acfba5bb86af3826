import { randomBytes, randomUUID } from "node:crypto";
import { InvocationContext, type LogLevel } from "@azure/functions";
import { QueueClient } from "@azure/storage-queue";
import { inject } from "vitest";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../../dev/emulator/index";
import { startRecordingWebhook, type RecordingWebhook } from "../../../dev/emulator/events/recording-webhook";
import { getAppDeps } from "../../../src/lib/composition/default-app-deps";
import type { AppDeps } from "../../../src/lib/composition/app-deps";
import { decodeQueueMessage } from "../../../src/lib/queue/reconcile-queue";
import { reconcileWorker } from "../../../src/functions/reconcileWorker";

/**
 * One test file's stack: its own emulator, its own tables and queue in the
 * run's shared Azurite, and the app's real composition root reading
 * process.env (each test file runs in its own process). The queue is driven
 * by reading real messages from Azurite and handing them to the real
 * reconcileWorker function, with the host's semantics (dequeue count, retry by
 * visibility, poison queue after maxDequeueCount).
 */
export const SUB1 = "11111111-1111-4111-8111-111111111111";
export const SUB2 = "22222222-2222-4222-8222-222222222222";
export const SSS_PROD = `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;
export const SSS_BRANCH = `/subscriptions/${SUB2}/resourceGroups/rg-branch/providers/Microsoft.StorageSync/storageSyncServices/sss-branch`;
export const serverIdOf = (serviceId: string, serverId: string): string => `${serviceId}/registeredServers/${serverId}`;

export interface LogLine {
  level: LogLevel;
  message: string;
}

export interface DrainStats {
  invocations: number;
  failures: number;
  poisoned: number;
  /** What each failed invocation threw, so a test expecting none shows why in its diff. */
  errors: string[];
}

export interface AppStack {
  emulator: EmulatorHandle;
  webhook: RecordingWebhook;
  app: AppDeps;
  queue: QueueClient;
  poison: QueueClient;
  logs: LogLine[];
  /** An InvocationContext that records what the function logs. */
  context(functionName: string, triggerMetadata?: Record<string, unknown>): InvocationContext;
  /** Runs the worker over queued messages until the queue is empty (delayed ones included) or `timeoutMs` passes. */
  drain(options?: { timeoutMs?: number }): Promise<DrainStats>;
  /** Event Grid events delivered to the recording webhook so far (validation excluded), and forgets them. */
  takeEvents(): unknown[];
  close(): Promise<void>;
}

export interface StackOptions {
  emulator?: Omit<EmulatorOptions, "tls" | "webhooks">;
  settings?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startAppStack(options: StackOptions = {}): Promise<AppStack> {
  const webhook = await startRecordingWebhook();
  // Synchronous long-running writes keep runs fast; the engine's own tests cover the 202 + polling path.
  const emulator = await startEmulator({
    tls: inject("localTls"),
    lroMode: "sync",
    ...options.emulator,
    webhooks: [webhook.url],
  });
  const suffix = randomBytes(4).toString("hex");
  const queueName = `reconcile-${suffix}`;
  const settings: Record<string, string> = {
    ...emulator.env,
    AzureWebJobsStorage: inject("azuriteConnectionString"),
    RECONCILE_QUEUE_NAME: queueName,
    TABLE_NAME_PREFIX: `t${suffix}`,
    RECONCILE_COALESCE_DELAY: "PT1S",
    DISCOVERY_RECHECK_DELAYS: "PT1S,PT1S,PT1S",
    ACTIVATION_WINDOW: "PT2S",
    PRINCIPAL_NOT_FOUND_BASE_DELAY: "PT0.1S",
    LEASE_DURATION: "PT30S",
    ...options.settings,
  };
  for (const [k, v] of Object.entries(settings)) process.env[k] = v;
  const app = await getAppDeps();
  const connection = inject("azuriteConnectionString");
  const queue = new QueueClient(connection, queueName);
  const poison = new QueueClient(connection, `${queueName}-poison`);
  await poison.createIfNotExists();
  const logs: LogLine[] = [];

  const context = (functionName: string, triggerMetadata: Record<string, unknown> = {}): InvocationContext =>
    new InvocationContext({
      invocationId: randomUUID(),
      functionName,
      triggerMetadata,
      logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(" ") }),
    });

  const drain = async ({ timeoutMs = 30_000 } = {}): Promise<DrainStats> => {
    const stats: DrainStats = { invocations: 0, failures: 0, poisoned: 0, errors: [] };
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 60 });
      if (receivedMessageItems.length === 0) {
        const { approximateMessagesCount } = await queue.getProperties();
        if (!approximateMessagesCount) return stats;
        await sleep(150);
        continue;
      }
      for (const m of receivedMessageItems) {
        stats.invocations += 1;
        try {
          await reconcileWorker(
            decodeQueueMessage(m.messageText),
            context("reconcileWorker", { dequeueCount: m.dequeueCount, id: m.messageId }),
          );
          await queue.deleteMessage(m.messageId, m.popReceipt);
        } catch (error) {
          stats.failures += 1;
          stats.errors.push(String(error));
          if (m.dequeueCount >= app.maxDequeueCount) {
            // What the host does after the last attempt.
            await poison.sendMessage(m.messageText);
            await queue.deleteMessage(m.messageId, m.popReceipt);
            stats.poisoned += 1;
          } else {
            await queue.updateMessage(m.messageId, m.popReceipt, undefined, 0);
          }
        }
      }
    }
    throw new Error(`the queue did not drain within ${timeoutMs} ms`);
  };

  const takeEvents = (): unknown[] => {
    const events = webhook.calls
      .filter((c) => c.eventType === "Notification")
      .flatMap((c) => JSON.parse(c.body) as unknown[]);
    webhook.calls.splice(0);
    return events;
  };

  return {
    emulator,
    webhook,
    app,
    queue,
    poison,
    logs,
    context,
    drain,
    takeEvents,
    close: async () => {
      await emulator.close();
      await webhook.close();
    },
  };
}
