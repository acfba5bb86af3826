import { randomBytes } from "node:crypto";
import type { TokenCredential } from "@azure/core-auth";
import type { Config } from "../config";
import { createQueueClient, ReconcileQueue } from "../queue/reconcile-queue";
import type { SchedulerDeps } from "../scheduling/schedule";
import { createStoreTables, ensureTables, type StoreTables } from "../tables/clients";
import { noTelemetry, type Telemetry } from "../telemetry/telemetry";
import type { EnginePort } from "../ports/engine-port";

/**
 * host.json's extensions.queues.maxDequeueCount: the attempt that reaches it is
 * the last before the host moves the message to `<queue>-poison`. A test keeps
 * the two in step.
 */
export const HOST_MAX_DEQUEUE_COUNT = 5;

/** Everything the functions share, built once per worker process. */
export interface AppDeps {
  config: Config;
  tables: StoreTables;
  queue: ReconcileQueue;
  engine: EnginePort;
  scheduler: SchedulerDeps;
  /** Custom events to Application Insights; off (noTelemetry) unless configured. */
  telemetry: Telemetry;
  now(): Date;
  /** Names this worker process in leases and run records. */
  workerId: string;
  maxDequeueCount: number;
}

export interface AppDepsOptions {
  engine: EnginePort;
  /** Storage credential for identity-based connections (AzureWebJobsStorage__*). */
  storageCredential?: TokenCredential;
  telemetry?: Telemetry;
  now?: () => Date;
  workerId?: string;
}

export async function createAppDeps(config: Config, options: AppDepsOptions): Promise<AppDeps> {
  const tables = createStoreTables(config.storage, config.tableNamePrefix, options.storageCredential);
  const queueClient = createQueueClient(config.storage, config.reconcileQueueName, options.storageCredential);
  await Promise.all([ensureTables(tables), queueClient.createIfNotExists()]);
  const queue = new ReconcileQueue(queueClient);
  return {
    config,
    tables,
    queue,
    engine: options.engine,
    scheduler: {
      queue,
      pending: tables.pending,
      runs: tables.runs,
      coalesceDelayMs: config.reconcileCoalesceDelayMs,
      // A queued run starts within its delay unless the queue is backed up or the lease is held.
      staleAfterMs: 2 * config.leaseDurationMs + 5 * 60_000,
    },
    telemetry: options.telemetry ?? noTelemetry,
    now: options.now ?? (() => new Date()),
    workerId: options.workerId ?? `worker-${process.pid}-${randomBytes(3).toString("hex")}`,
    maxDequeueCount: HOST_MAX_DEQUEUE_COUNT,
  };
}
