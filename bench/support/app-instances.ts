import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { EmulatorHandle } from "../../dev/emulator/index";
import { createArmConnection } from "../../src/lib/azure/arm-connection";
import { bindEngineToConnection } from "../../src/lib/composition/engine-binding";
import { silentLog } from "../../src/lib/ports/log";
import { handleReconcileMessage, type WorkerOutcome } from "../../src/lib/worker/reconcile-worker";
import { createAppDeps, type AppDeps } from "../../src/lib/composition/app-deps";
import { loadConfig, type Config } from "../../src/lib/config";
import { decodeQueueMessage } from "../../src/lib/queue/reconcile-queue";
import { emulatorCredential } from "../../dev/emulator/emulator-credential";
import { readHostJson } from "../../dev/host/host-json";
import { PROJECT_DIR } from "../../dev/host/local-stack";

/**
 * Function app instances as Flex Consumption scales them out, in this
 * process: each has its own ARM connection (sockets, token cache), its own
 * worker id and its own queue poller with the project's host.json
 * batchSize and newBatchThreshold (fetch a batch once in-flight messages drop
 * to the threshold: at most their sum at once, as the Functions host runs
 * them), polling back-off to maxPollingInterval 2 s, messages kept invisible while they run,
 * over one
 * Azurite queue and one set of tables. A message whose handler throws stays on
 * the queue for its visibility timeout, as the host leaves it.
 */
export interface InstancePool {
  config: Config;
  instances: AppDeps[];
  /** Runs until the queue holds no message (visible or not) and no handler runs. */
  drain(options?: { onOutcome?: (o: WorkerOutcome) => void }): Promise<InstanceStats>;
}

export interface InstanceStats {
  invocations: number;
  failures: number;
  /** Sum of handler durations (ms): what Flex bills as execution time. */
  busyMs: number;
  /** Distinct errors of failed invocations (the message stays for redelivery). */
  errors: string[];
}

const { batchSize: BATCH_SIZE, newBatchThreshold: NEW_BATCH_THRESHOLD } = readHostJson(PROJECT_DIR).queues;
const VISIBILITY_S = 30;
const MIN_POLL_MS = 100;
const MAX_POLLING_MS = 2_000;

export async function startInstances(
  emulator: EmulatorHandle,
  storageConnectionString: string,
  count: number,
  env: Record<string, string> = {},
): Promise<InstancePool> {
  const suffix = randomBytes(4).toString("hex");
  const config = loadConfig({
    ...emulator.env,
    AzureWebJobsStorage: storageConnectionString,
    RECONCILE_QUEUE_NAME: `bench-${suffix}`,
    TABLE_NAME_PREFIX: `b${suffix}`,
    ...env,
  });
  const instances: AppDeps[] = [];
  for (let i = 0; i < count; i++) {
    const arm = createArmConnection({
      endpoint: config.armEndpoint,
      credential: emulatorCredential(emulator),
      tlsCa: emulator.caCertPem,
      lroPollIntervalMs: 10,
    });
    instances.push(
      await createAppDeps(config, { engine: bindEngineToConnection(config, arm), workerId: `instance-${i}` }),
    );
  }
  return {
    config,
    instances,
    async drain(options = {}) {
      const stats: InstanceStats = { invocations: 0, failures: 0, busyMs: 0, errors: [] };
      let inFlightTotal = 0;
      const poll = async (app: AppDeps): Promise<void> => {
        let inFlight = 0;
        let idlePolls = 0;
        let received = false;
        const running = new Set<Promise<void>>();
        for (;;) {
          if (inFlight <= NEW_BATCH_THRESHOLD) {
            const { receivedMessageItems } = await app.queue.client.receiveMessages({
              numberOfMessages: BATCH_SIZE,
              visibilityTimeout: VISIBILITY_S,
            });
            received = receivedMessageItems.length > 0;
            for (const m of receivedMessageItems) {
              inFlight++;
              inFlightTotal++;
              const started = performance.now();
              // The host keeps a message it works on invisible by renewing it at half the interval (WebJobs SDK).
              let popReceipt = m.popReceipt;
              const renew = setInterval(
                () => {
                  void app.queue.client.updateMessage(m.messageId, popReceipt, undefined, VISIBILITY_S).then(
                    (r) => {
                      if (r.popReceipt) popReceipt = r.popReceipt;
                    },
                    () => undefined,
                  );
                },
                (VISIBILITY_S * 1000) / 2,
              );
              const job = (async () => {
                try {
                  const decoded = decodeQueueMessage(m.messageText);
                  const outcome = await handleReconcileMessage(
                    app,
                    decoded,
                    { dequeueCount: m.dequeueCount },
                    silentLog,
                  );
                  options.onOutcome?.(outcome);
                  clearInterval(renew);
                  await app.queue.client.deleteMessage(m.messageId, popReceipt);
                } catch (error) {
                  stats.failures++;
                  const text = error instanceof Error ? error.message.slice(0, 200) : String(error);
                  if (!stats.errors.includes(text)) stats.errors.push(text);
                } finally {
                  clearInterval(renew);
                  stats.invocations++;
                  stats.busyMs += performance.now() - started;
                  inFlight--;
                  inFlightTotal--;
                }
              })();
              running.add(job);
              void job.finally(() => running.delete(job));
            }
            if (receivedMessageItems.length === 0 && inFlightTotal === 0) {
              const { approximateMessagesCount } = await app.queue.client.getProperties();
              if (!approximateMessagesCount && inFlightTotal === 0) break;
            }
          }
          // host.json: back off exponentially to maxPollingInterval (2 s) while the queue is empty.
          idlePolls = received ? 0 : idlePolls + 1;
          await Promise.race([sleep(Math.min(MAX_POLLING_MS, MIN_POLL_MS * 2 ** idlePolls)), ...running]);
        }
        await Promise.all(running);
      };
      await Promise.all(instances.map(poll));
      return stats;
    },
  };
}
