import { performance } from "node:perf_hooks";
import { startAzurite } from "../dev/azurite/start-azurite";
import { startEmulator } from "../dev/emulator/index";
import { DEFAULT_ESTATE, generateEstate } from "../dev/seeds/generate-estate";
import { silentLog } from "../src/lib/ports/log";
import { reconcileAllInScope } from "../src/lib/sweep/sweep";
import { startInstances } from "./support/app-instances";
import { estateState } from "./support/estate-check";
import { envNumber, printTable, verdict } from "./support/table";

/**
 * Convergence from scratch of a whole estate (default 50 services x 100
 * servers in one subscription) through the app: the full sweep queues every
 * service, several instances' workers drain the queue, against an emulator
 * that answers every call after ARM's latency and throttles with ARM's
 * per-subscription token buckets. Time is compressed by BENCH_TIME_SCALE
 * (rates x k, latencies / k), which keeps the ratio.
 *
 * Baseline, same run: the throttle-bound minimum, the time the reads and the
 * writes the run made take through their buckets alone (after the burst),
 * whichever is longer. Target: total <= 1.3 x that, no 429 left unretried,
 * no duplicate assignment.
 *
 * Size your own estate: BENCH_SERVICES, BENCH_SERVERS, BENCH_SYNC_GROUPS,
 * BENCH_ACCOUNTS, BENCH_INSTANCES, BENCH_LATENCY_MS, BENCH_TIME_SCALE.
 */
export default async function run(): Promise<void> {
  const timeScale = envNumber("BENCH_TIME_SCALE", 4);
  const latencyMs = envNumber("BENCH_LATENCY_MS", 50);
  const instances = envNumber("BENCH_INSTANCES", 4);
  const estate = {
    ...DEFAULT_ESTATE,
    services: envNumber("BENCH_SERVICES", DEFAULT_ESTATE.services),
    serversPerService: envNumber("BENCH_SERVERS", DEFAULT_ESTATE.serversPerService),
    syncGroupsPerService: envNumber("BENCH_SYNC_GROUPS", DEFAULT_ESTATE.syncGroupsPerService),
    accountsPerService: envNumber("BENCH_ACCOUNTS", DEFAULT_ESTATE.accountsPerService),
  };
  const azurite = await startAzurite();
  const emulator = await startEmulator({
    seed: generateEstate(estate),
    lroMode: "sync",
    throttle: { timeScale },
    latency: { readMs: latencyMs, timeScale },
  });
  try {
    const pool = await startInstances(emulator, azurite.connectionString, instances, { RECONCILE_COALESCE_DELAY: "PT0S" });
    const sweeper = pool.instances[0];
    if (!sweeper) throw new Error("no instance");
    emulator.core.recorder.reset();
    emulator.core.throttle.reset();
    let actionsFailedOn429 = 0;
    let actionsFailed = 0;
    const started = performance.now();
    // The moment ARM holds the converged estate (the runs still record it in the tables after).
    let convergedAt: number | undefined;
    let convergedCalls: ReturnType<typeof emulator.core.recorder.calls> | undefined;
    const watch = setInterval(() => {
      const now = performance.now();
      if (convergedAt === undefined && isConverged(estateState(emulator))) {
        convergedAt = now;
        convergedCalls = emulator.core.recorder.calls();
      }
      if (process.env.BENCH_TRACE) {
        const c = emulator.core.recorder.calls();
        console.log(
          `${((now - started) / 1000).toFixed(1)} s: reads ${c.reads} writes ${c.writes} refused ${JSON.stringify(emulator.core.throttle.refused())}`,
        );
      }
    }, 500);
    await reconcileAllInScope(sweeper, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
    const stats = await pool.drain({
      onOutcome: (o) => {
        if (o.outcome !== "reconciled") return;
        for (const a of o.report.outcomes) {
          if (a.status !== "failed") continue;
          actionsFailed++;
          if (a.error?.statusCode === 429) actionsFailed429(++actionsFailedOn429);
        }
      },
    });
    const drainedAt = performance.now();
    clearInterval(watch);
    const seconds = ((convergedAt ?? drainedAt) - started) / 1000;
    if (process.env.BENCH_TRACE && convergedCalls) {
      const after = emulator.core.recorder.calls().byOperation;
      for (const [op, c] of Object.entries(after)) {
        const before = convergedCalls.byOperation[op] ?? { reads: 0, writes: 0 };
        if (c.reads !== before.reads || c.writes !== before.writes)
          console.log(`after convergence: ${op} +${c.reads - before.reads} reads +${c.writes - before.writes} writes`);
      }
    }

    const calls = emulator.core.recorder.calls();
    const refused = emulator.core.throttle.refused();
    const reads = calls.reads - refused.read;
    const writes = calls.writes - refused.write - refused.delete;
    const t = emulator.core.throttle;
    const readBound = Math.max(0, reads - t.readBurst) / (t.readPerSecond * timeScale);
    const writeBound = Math.max(0, writes - t.writeBurst) / (t.writePerSecond * timeScale);
    const minimum = Math.max(readBound, writeBound);
    const end = estateState(emulator);
    const ratio = seconds / minimum;

    console.log(
      `Estate: ${estate.services} services x ${estate.serversPerService} servers (${estate.syncGroupsPerService} sync groups over ${estate.accountsPerService} accounts each), one subscription`,
    );
    console.log(
      `Emulator: ${latencyMs} ms per call, ARM's buckets (reads ${t.readBurst}/${t.readPerSecond} per s, writes ${t.writeBurst}/${t.writePerSecond} per s), time compressed x${timeScale}; ${instances} app instances`,
    );
    printTable([
      ["measure", "value"],
      ["ARM reads / writes served", `${reads} / ${writes}`],
      ["429 answers (retried by the throttle gate)", `${refused.read + refused.write + refused.delete}`],
      ["actions failed on 429 (429s left unretried)", String(actionsFailedOn429)],
      ["actions failed (any)", String(actionsFailed)],
      ["invocations / handler failures", `${stats.invocations} / ${stats.failures}`],
      ["left undone: services / servers", `${end.servicesWithoutUseIdentity} / ${end.serversNotSwitched}`],
      ["assignments / duplicates", `${end.assignments} / ${end.duplicateAssignments}`],
      [
        "throttle-bound minimum (ARM s)",
        `${(minimum * timeScale).toFixed(0)} (reads ${(readBound * timeScale).toFixed(0)}, writes ${(writeBound * timeScale).toFixed(0)})`,
      ],
      ["convergence: ARM state (ARM s)", (seconds * timeScale).toFixed(0)],
      ["queue drained, runs recorded (ARM s)", (((drainedAt - started) / 1000) * timeScale).toFixed(0)],
      ["convergence / minimum", verdict(ratio, 1.3)],
    ]);
    const ok = actionsFailedOn429 === 0 && end.duplicateAssignments === 0 && isConverged(end);
    for (const e of stats.errors) console.log(`invocation failed (message redelivered): ${e}`);
    console.log(ok ? "converged: nothing left undone, no 429 left unretried, no duplicate assignment" : "NOT CONVERGED CLEANLY (see above)");
  } finally {
    await emulator.close();
    await azurite.stop();
  }
}

function isConverged(state: ReturnType<typeof estateState>): boolean {
  return state.serversNotSwitched === 0 && state.servicesWithoutUseIdentity === 0;
}

function actionsFailed429(n: number): void {
  if (n === 1) console.warn("an action failed on 429 after the SDK's retries");
}
