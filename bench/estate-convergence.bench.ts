import { performance } from "node:perf_hooks";
import { startAzurite, type AzuriteHandle } from "../dev/azurite/start-azurite";
import { startEmulator, type EmulatorHandle } from "../dev/emulator/index";
import { estateIds, generateEstate, type EstateOptions } from "../dev/seeds/generate-estate";
import { silentLog } from "../src/lib/ports/log";
import { reconcileAllInScope } from "../src/lib/sweep/sweep";
import { startInstances } from "./support/app-instances";
import { convergedServices, estateState, type EstateState } from "./support/estate-check";
import { describeEstate, estateBenchSetup, type EstateBenchSetup } from "./support/estate-setup";
import { envNumber, printTable, verdict } from "./support/table";
import { largestBound, throttleBounds, type SubscriptionBound } from "./support/throttle-bound";
import { traceBuckets } from "./support/bucket-trace";

/**
 * Convergence from scratch of an estate as Azure allows it, through the app:
 * by default 4 subscriptions of 15 services x 100 servers, each service's
 * storage accounts in the next subscription, every storage subscription ending
 * at 3,360 role assignments (Azure allows 4,000). The full sweep queues every
 * service, several instances' workers drain the queue, against an emulator
 * that answers after ARM's latency and throttles with ARM's per-subscription
 * token buckets. Time is compressed by BENCH_TIME_SCALE (bucket rates x k,
 * latencies and Retry-After / k), which keeps the ratio.
 *
 * Baseline, same run: the throttle-bound minimum, the largest over
 * subscriptions of the time that subscription's requests need through its own
 * buckets after the burst. Target: total <= 1.3 x that, 0 assignments over
 * quota, 0 duplicates.
 *
 * Second run, same estate: another principal drains one subscription's write
 * bucket (takes BENCH_DRAIN_SHARE of its refill, after emptying it), as load
 * against ARM's global per-subscription limit would. Services whose service
 * and storage subscriptions are both other ones must still converge within
 * 1.3 x the largest bound of those other subscriptions.
 *
 * Size your own estate: BENCH_SUBSCRIPTIONS, BENCH_SERVICES_PER_SUBSCRIPTION,
 * BENCH_SERVERS, BENCH_SYNC_GROUPS, BENCH_ACCOUNTS, BENCH_ENDPOINTS,
 * BENCH_INSTANCES, BENCH_LATENCY_MS, BENCH_TIME_SCALE, BENCH_DRAIN_SHARE, BENCH_ONLY_DRAINED (1: the drained run only).
 */
export default async function run(): Promise<void> {
  const setup: Setup = {
    ...estateBenchSetup(),
    instances: envNumber("BENCH_INSTANCES", 4),
    drainShare: envNumber("BENCH_DRAIN_SHARE", 0.5),
  };
  const { estate } = setup;
  for (const line of describeEstate(setup)) console.log(line);
  console.log(`${setup.instances} app instances`);
  const azurite = await startAzurite();
  try {
    if (process.env.BENCH_ONLY_DRAINED !== "1") {
      const free = await converge(setup, azurite);
      report("All subscriptions' buckets free", free);
    }
    const drained = estateIds.subscriptionId(estate, 0);
    const loaded = await converge(setup, azurite, drained);
    report(
      `Subscription ${drained} drained by another principal (${Math.round(setup.drainShare * 100)}% of its write refill)`,
      loaded,
      drained,
    );
  } finally {
    await azurite.stop();
  }
}

interface Setup extends EstateBenchSetup {
  instances: number;
  drainShare: number;
}

interface RunResult {
  setup: Setup;
  /** Real seconds until ARM held the converged estate. */
  seconds: number;
  drainedSeconds: number;
  bounds: SubscriptionBound[];
  /** Real seconds from the start at which each service (lower-case id) converged. */
  serviceDone: Map<string, number>;
  end: EstateState;
  overQuota: number;
  refused: number;
  actionsFailed: number;
  actionsFailedOn429: number;
  handlerFailures: number;
}

async function converge(setup: Setup, azurite: AzuriteHandle, drainSubscription?: string): Promise<RunResult> {
  const { estate, timeScale, latencyMs } = setup;
  const emulator = await startEmulator({
    seed: generateEstate(estate),
    lroMode: "sync",
    throttle: { timeScale },
    latency: { readMs: latencyMs, timeScale },
  });
  try {
    const pool = await startInstances(emulator, azurite.connectionString, setup.instances, {
      RECONCILE_COALESCE_DELAY: "PT0S",
    });
    const sweeper = pool.instances[0];
    if (!sweeper) throw new Error("no instance");
    emulator.core.recorder.reset();
    emulator.core.throttle.reset();
    const stopDrain = drainSubscription ? drainBucket(emulator, drainSubscription, setup.drainShare) : () => undefined;
    const stopTrace = traceBuckets(emulator.core.throttle);
    let actionsFailedOn429 = 0;
    let actionsFailed = 0;
    const started = performance.now();
    const serviceDone = new Map<string, number>();
    let convergedAt: number | undefined;
    const watch = setInterval(() => {
      const now = (performance.now() - started) / 1000;
      for (const id of convergedServices(emulator)) if (!serviceDone.has(id)) serviceDone.set(id, now);
      if (convergedAt === undefined && serviceDone.size === estate.services) {
        convergedAt = now;
        // The other principal's load counts toward the bound only while the estate still needed the bucket.
        stopDrain();
      }
      if (process.env.BENCH_TRACE && Math.round(now * 4) % 40 === 0)
        console.log(`${now.toFixed(1)} s: ${serviceDone.size} services converged`);
    }, 250);
    await reconcileAllInScope(sweeper, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
    const stats = await pool.drain({
      onOutcome: (o) => {
        if (o.outcome !== "reconciled") return;
        for (const a of o.report.outcomes) {
          if (a.status !== "failed") continue;
          actionsFailed++;
          if (a.error?.statusCode === 429) actionsFailedOn429++;
        }
      },
    });
    const drainedSeconds = (performance.now() - started) / 1000;
    clearInterval(watch);
    stopTrace();
    stopDrain();
    for (const id of convergedServices(emulator)) if (!serviceDone.has(id)) serviceDone.set(id, drainedSeconds);
    const refused = emulator.core.throttle.refused();
    const end = estateState(emulator);
    return {
      setup,
      seconds: convergedAt ?? drainedSeconds,
      drainedSeconds,
      bounds: throttleBounds(emulator.core.throttle),
      serviceDone,
      end,
      overQuota: assignmentsOverQuota(emulator),
      refused: refused.read + refused.write + refused.delete,
      actionsFailed,
      actionsFailedOn429,
      handlerFailures: stats.failures,
    };
  } finally {
    await emulator.close();
  }
}

/**
 * Another principal's load on one subscription: empties the write bucket, then keeps taking `share` of its
 * refill. The emulator keeps one bucket per subscription, so this stands for ARM's global per-subscription
 * limit running dry under someone else's traffic.
 */
function drainBucket(emulator: EmulatorHandle, subscriptionId: string, share: number): () => void {
  const throttle = emulator.core.throttle;
  while (throttle.take(subscriptionId, "write", emulator.core.clock.now()).allowed);
  const perMs = (throttle.writePerSecond * throttle.timeScale * share) / 1000;
  let credit = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    credit += (now - last) * perMs;
    last = now;
    for (; credit >= 1; credit--) throttle.take(subscriptionId, "write", emulator.core.clock.now());
  }, 20);
  return () => clearInterval(timer);
}

/** Assignments beyond 4,000 in any subscription (Azure would have refused them). */
function assignmentsOverQuota(emulator: EmulatorHandle): number {
  const bySubscription = new Map<string, number>();
  for (const a of emulator.core.state.roleAssignments.values()) {
    const sub = /^\/subscriptions\/([^/]+)/i.exec(a.scope)?.[1]?.toLowerCase() ?? "";
    bySubscription.set(sub, (bySubscription.get(sub) ?? 0) + 1);
  }
  return [...bySubscription.values()].reduce((n, c) => n + Math.max(0, c - 4000), 0);
}

function report(title: string, r: RunResult, drained?: string): void {
  const k = r.setup.timeScale;
  const arm = (seconds: number) => (seconds * k).toFixed(0);
  const minimum = largestBound(r.bounds);
  console.log(`\n${title}`);
  printTable([
    ["subscription", "reads / writes served", "bound (ARM s)", "its services converged (ARM s)"],
    ...r.bounds.map((b) => {
      const own = [...r.serviceDone]
        .filter(([id]) => id.startsWith(`/subscriptions/${b.subscriptionId}/`))
        .map(([, t]) => t);
      return [
        b.subscriptionId + (b.subscriptionId === drained ? " (drained)" : ""),
        `${b.reads} / ${b.writes}`,
        arm(b.seconds),
        own.length ? arm(Math.max(...own)) : "-",
      ];
    }),
  ]);
  const rows: string[][] = [
    ["measure", "value"],
    ["429 answers (retried by the throttle gate)", String(r.refused)],
    ["actions failed (on 429)", `${r.actionsFailed} (${r.actionsFailedOn429})`],
    ["handler failures", String(r.handlerFailures)],
    ["left undone: services / servers", `${r.end.servicesWithoutUseIdentity} / ${r.end.serversNotSwitched}`],
    ["assignments / over quota / duplicates", `${r.end.assignments} / ${r.overQuota} / ${r.end.duplicateAssignments}`],
    ["throttle-bound minimum (ARM s)", arm(minimum)],
    ["convergence: ARM state (ARM s)", arm(r.seconds)],
    ["queue drained, runs recorded (ARM s)", arm(r.drainedSeconds)],
    ["convergence / minimum", verdict(r.seconds / minimum, 1.3)],
  ];
  let othersOk = true;
  if (drained) {
    const untouched = untouchedServices(r.setup.estate, drained);
    const others = largestBound(r.bounds.filter((b) => b.subscriptionId !== drained));
    const done = Math.max(0, ...untouched.map((id) => r.serviceDone.get(id) ?? Infinity));
    othersOk = done / others <= 1.3;
    rows.push(
      [`services not using ${drained.slice(0, 8)}…: converged (ARM s)`, `${untouched.length} services, ${arm(done)}`],
      ["  vs largest bound of the other subscriptions", verdict(done / others, 1.3)],
    );
  }
  printTable(rows);
  const ok =
    r.actionsFailedOn429 === 0 &&
    r.end.duplicateAssignments === 0 &&
    r.overQuota === 0 &&
    r.end.servicesWithoutUseIdentity === 0 &&
    r.end.serversNotSwitched === 0 &&
    othersOk;
  console.log(
    ok
      ? "converged: nothing left undone, none over quota, no duplicate assignment"
      : "NOT CONVERGED CLEANLY (see above)",
  );
}

/** Services (lower-case ids) whose service and storage both live outside `subscriptionId`. */
function untouchedServices(estate: EstateOptions, subscriptionId: string): string[] {
  const out: string[] = [];
  for (let s = 0; s < estate.services; s++)
    if (
      estateIds.serviceSubscription(estate, s) !== subscriptionId &&
      estateIds.storageSubscription(estate, s) !== subscriptionId
    )
      out.push(estateIds.serviceId(estate, s).toLowerCase());
  return out;
}
