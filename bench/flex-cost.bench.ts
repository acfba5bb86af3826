import { performance } from "node:perf_hooks";
import { startAzurite } from "../dev/azurite/start-azurite";
import { startEmulator } from "../dev/emulator/index";
import { armOperationName, resourceWriteSuccessEvent } from "../dev/emulator/events/resource-write-event";
import { estateIds, generateEstate } from "../dev/seeds/generate-estate";
import { runActivationCheck } from "../src/lib/activation/check";
import { silentLog } from "../src/lib/ports/log";
import { reconcileAllInScope } from "../src/lib/sweep/sweep";
import { handleArmEvent } from "../src/lib/events/handle-arm-event";
import { startInstances } from "./support/app-instances";
import { envNumber, printTable } from "./support/table";

/**
 * Monthly Flex Consumption execution cost of the estate (50 services x 100
 * servers) at steady state, from invocation durations measured here on a
 * converged sample of the estate at ARM's real latency (50 ms per call; the
 * time a function waits on ARM is billed), scaled to the estate by the counts
 * below. Flex bills on demand per instance: memory provisioned (2,048 MB
 * default) x the time the instance executes functions, plus executions, each
 * after a monthly free grant (prices: https://azure.microsoft.com/pricing/details/functions/,
 * model: https://learn.microsoft.com/azure/azure-functions/functions-consumption-costs).
 * Counting every invocation's full duration as if none overlapped is the
 * upper bound: instances run several at once.
 */
const PRICE_PER_GB_S = 0.000026; // on demand execution time, USD
const PRICE_PER_MILLION_EXECUTIONS = 0.4; // USD
const FREE_GB_S = 100_000;
const FREE_EXECUTIONS = 250_000;
const INSTANCE_GB = 2; // instanceMemoryMB 2048, the default
const DAYS = 30;
const SAMPLE_SERVICES = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export default async function run(): Promise<void> {
  const estateServices = envNumber("BENCH_SERVICES", 50);
  const eventsPerServicePerDay = envNumber("BENCH_EVENTS_PER_SERVICE_DAY", 10);
  const seed = generateEstate({ services: SAMPLE_SERVICES });
  const azurite = await startAzurite();
  // Real latency; buckets out of the way (this measures durations, not throttling).
  const emulator = await startEmulator({
    seed,
    lroMode: "sync",
    latency: { readMs: 50 },
    throttle: { readBurst: 1e9, writeBurst: 1e9 },
  });
  try {
    const pool = await startInstances(emulator, azurite.connectionString, 2, { RECONCILE_COALESCE_DELAY: "PT0S" });
    const app = pool.instances[0];
    if (!app) throw new Error("no instance");
    await reconcileAllInScope(app, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
    await pool.drain();

    // Steady state: the sweep (timer), its reconciles (queue), the activation check (timer), ARM events.
    let started = performance.now();
    await reconcileAllInScope(app, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
    const sweepMs = ((performance.now() - started) * estateServices) / SAMPLE_SERVICES;
    const steady = await pool.drain();
    const reconcileMs = steady.busyMs / Math.max(1, steady.invocations);
    const checks: number[] = [];
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      await runActivationCheck(app, silentLog);
      checks.push(performance.now() - started);
    }
    const events: number[] = [];
    for (let i = 0; i < 10; i++) {
      const resourceUri = `${estateIds.serviceId(seed.subscriptions[0] as { subscriptionId: string }, i % SAMPLE_SERVICES)}/registeredServers/${estateIds.serverId(i % SAMPLE_SERVICES, i)}`;
      const event = resourceWriteSuccessEvent({
        resourceUri,
        operationName: armOperationName(resourceUri, "PUT"),
        evidenceRole: "Owner",
        subscriptionId: seed.subscriptions[0]?.subscriptionId ?? "",
        tenantId: emulator.core.state.tenantId,
        principalOid: "0a0a0a0a-0000-4000-8000-000000000001",
      });
      started = performance.now();
      const result = await handleArmEvent(app, event, silentLog);
      events.push(performance.now() - started);
      if (result.result !== "scheduled")
        throw new Error(`the sample event was not scheduled: ${JSON.stringify(result)}`);
    }
    const eventRuns = await pool.drain();
    const eventReconcileMs = eventRuns.busyMs / Math.max(1, eventRuns.invocations);

    const perDay = (24 * 60) / 5; // ACTIVATION_CHECK_SCHEDULE 0 */5 * * * *
    const eventsPerDay = estateServices * eventsPerServicePerDay;
    // Coalescing merges a burst of events for one service into one run; counted here as one run per event (upper
    // bound).
    const rows: Array<[string, number, number]> = [
      ["fullSweep timer (daily)", 1, sweepMs],
      ["reconcileWorker, sweep runs", estateServices, reconcileMs],
      ["activationCheck timer (every 5 min)", perDay, median(checks)],
      ["armEvents", eventsPerDay, median(events)],
      ["reconcileWorker, event runs", eventsPerDay, eventReconcileMs],
    ];
    let executions = 0;
    let gbSeconds = 0;
    const table = [["invocation", "per day", "measured ms each", "GB-s per month"]];
    for (const [name, count, ms] of rows) {
      const gbs = (count * DAYS * ms * INSTANCE_GB) / 1000;
      executions += count * DAYS;
      gbSeconds += gbs;
      table.push([name, String(count), ms.toFixed(0), gbs.toFixed(0)]);
    }
    const cost =
      Math.max(0, gbSeconds - FREE_GB_S) * PRICE_PER_GB_S +
      (Math.max(0, executions - FREE_EXECUTIONS) / 1e6) * PRICE_PER_MILLION_EXECUTIONS;
    const gross = gbSeconds * PRICE_PER_GB_S + (executions / 1e6) * PRICE_PER_MILLION_EXECUTIONS;
    console.log(
      `Flex Consumption execution cost, ${estateServices} services x 100 servers at steady state, ${eventsPerServicePerDay} ARM events per service per day (durations measured on ${SAMPLE_SERVICES} services, 50 ms per ARM call)`,
    );
    printTable(table);
    console.log(
      `per month: ${executions} executions, ${gbSeconds.toFixed(0)} GB-s (${INSTANCE_GB} GB instances, no overlap counted)`,
    );
    console.log(
      `cost per month: $${cost.toFixed(2)} after the free grant (${FREE_GB_S} GB-s, ${FREE_EXECUTIONS} executions); $${gross.toFixed(2)} without it`,
    );
  } finally {
    await emulator.close();
    await azurite.stop();
  }
}
