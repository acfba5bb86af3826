import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { ManagedIdentityCredential } from "@azure/identity";
import { startAzurite } from "../dev/azurite/start-azurite";
import { startEmulator, type EmulatorHandle } from "../dev/emulator/index";
import { createArmConnection } from "../src/lib/azure/arm-connection";
import { bindEngineToConnection } from "../src/lib/composition/engine-binding";
import { silentLog } from "../src/lib/ports/log";
import { handleReconcileMessage } from "../src/lib/worker/reconcile-worker";
import { createAppDeps, type AppDeps } from "../src/lib/composition/app-deps";
import { loadConfig } from "../src/lib/config";
import { decodeQueueMessage } from "../src/lib/queue/reconcile-queue";
import { requestReconcile } from "../src/lib/scheduling/schedule";
import { newRunId } from "../src/lib/tables/run-id";

/**
 * How many full reconciles a burst of N ARM events for one service costs,
 * with the app's coalescing (pending marker + RECONCILE_COALESCE_DELAY)
 * against a baseline that queues one reconcile per event. Events arrive in
 * waves while the worker runs, as Event Grid delivers them. Reported as
 * ratios measured in the same run; nothing here asserts wall-clock time.
 */
const SERVICE =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  reconciles: number;
  armReads: number;
  armWrites: number;
  ms: number;
}

async function drain(app: AppDeps): Promise<number> {
  let reconciles = 0;
  for (;;) {
    const { receivedMessageItems } = await app.queue.client.receiveMessages({
      numberOfMessages: 16,
      visibilityTimeout: 60,
    });
    if (receivedMessageItems.length === 0) {
      if (!(await app.queue.client.getProperties()).approximateMessagesCount) return reconciles;
      await sleep(50);
      continue;
    }
    for (const m of receivedMessageItems) {
      const result = await handleReconcileMessage(
        app,
        decodeQueueMessage(m.messageText),
        { dequeueCount: m.dequeueCount },
        silentLog,
      );
      if (result.outcome === "reconciled") reconciles += 1;
      await app.queue.client.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

async function scenario(
  emulator: EmulatorHandle,
  connectionString: string,
  events: number,
  waves: number,
  coalesce: boolean,
): Promise<Outcome> {
  const suffix = randomBytes(4).toString("hex");
  const config = loadConfig({
    ...emulator.env,
    AzureWebJobsStorage: connectionString,
    RECONCILE_QUEUE_NAME: `bench-${suffix}`,
    TABLE_NAME_PREFIX: `b${suffix}`,
    RECONCILE_COALESCE_DELAY: "PT0.3S",
  });
  const credential = new ManagedIdentityCredential();
  const arm = createArmConnection({ endpoint: config.armEndpoint, credential, tlsCa: emulator.caCertPem });
  const app = await createAppDeps(config, { engine: bindEngineToConnection(config, arm) });
  await emulator.admin.resetCalls();
  const started = performance.now();
  let reconciles = 0;
  const perWave = Math.ceil(events / waves);
  for (let w = 0; w < waves; w++) {
    const burst = Array.from({ length: perWave }, (_, i) => ({
      kind: "event" as const,
      eventId: `e${w}-${i}`,
      operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
      subject: SERVICE,
    }));
    await Promise.all(
      burst.map((trigger) =>
        coalesce
          ? requestReconcile(app.scheduler, { serviceId: SERVICE, trigger })
          : app.queue.send({
              v: 1,
              kind: "reconcile",
              serviceId: SERVICE,
              runId: newRunId(SERVICE),
              dryRun: false,
              trigger,
              requestedAt: new Date().toISOString(),
            }),
      ),
    );
    reconciles += await drain(app);
  }
  const ms = performance.now() - started;
  const calls = await emulator.admin.calls();
  return { reconciles, armReads: calls.reads, armWrites: calls.writes, ms };
}

export default async function run(): Promise<void> {
  const azurite = await startAzurite();
  const emulator = await startEmulator({ lroMode: "sync" });
  // The credential finds the emulator's token endpoint the way App Service's is found.
  process.env.IDENTITY_ENDPOINT = emulator.env.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = emulator.env.IDENTITY_HEADER;
  try {
    // Converge once so both sides measure the steady state (events for a service with nothing left to do).
    await scenario(emulator, azurite.connectionString, 1, 1, true);
    const rows: string[][] = [
      ["events", "waves", "reconciles (coalesced / baseline)", "ARM reads ratio", "time ratio"],
    ];
    for (const [events, waves] of [
      [10, 1],
      [50, 1],
      [50, 5],
    ] as const) {
      const baseline = await scenario(emulator, azurite.connectionString, events, waves, false);
      const coalesced = await scenario(emulator, azurite.connectionString, events, waves, true);
      rows.push([
        String(events),
        String(waves),
        `${coalesced.reconciles} / ${baseline.reconciles} = ${(coalesced.reconciles / baseline.reconciles).toFixed(2)}`,
        (coalesced.armReads / Math.max(1, baseline.armReads)).toFixed(2),
        (coalesced.ms / baseline.ms).toFixed(2),
      ]);
    }
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  "));
  } finally {
    await emulator.close();
    await azurite.stop();
  }
}
