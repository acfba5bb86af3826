import { performance } from "node:perf_hooks";
import { startAzurite } from "../dev/azurite/start-azurite";
import { startEmulator, type EmulatorHandle } from "../dev/emulator/index";
import { armOperationName, resourceWriteSuccessEvent } from "../dev/emulator/events/resource-write-event";
import { estateIds, generateEstate } from "../dev/seeds/generate-estate";
import { silentLog } from "../src/lib/ports/log";
import { reconcileAllInScope } from "../src/lib/sweep/sweep";
import { handleArmEvent } from "../src/lib/events/handle-arm-event";
import { startInstances, type InstancePool } from "./support/app-instances";
import { envNumber, printTable, verdict } from "./support/table";

/**
 * How long one new server in a converged 100-server service waits for its
 * switch, through the app: the ARM event of its registration → armEvents →
 * coalescing delay → queue → worker → reconcile (grant, then switch).
 *
 * A: registered with its identity already reported (Register-AzStorageSyncServer
 * -AssignIdentity). Baseline: the critical path, the coalescing delay plus the
 * calls that depend on each other in sequence (service/servers/sync groups,
 * endpoint lists, the account's assignment list, the grant, the switch) x the
 * per-call latency. Target <= 1.5 x. Real time, 50 ms per call.
 *
 * B: the agent reports the identity later, with no event: the time from that
 * report to the switch, against the gap of DISCOVERY_RECHECK_DELAYS it fell in
 * (time compressed 60x: the default schedule PT2M,PT5M,... runs as 2 s, 5 s, ...).
 */
const SERVERS = 100;
const DEPENDENT_CALLS = 5;

/** Resolves at the new server's switch (its PATCH); fails after 5 minutes rather than hang. */
function switchWatcher(emulator: EmulatorHandle, serverResourceId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${serverResourceId} was not switched within 5 minutes`)), 300_000);
    emulator.core.onWrite((w) => {
      if (w.method === "PATCH" && w.resourceUri.toLowerCase() === serverResourceId.toLowerCase()) {
        clearTimeout(timer);
        resolve(performance.now());
      }
    });
  });
}

function registrationEvent(emulator: EmulatorHandle, resourceUri: string) {
  return resourceWriteSuccessEvent({
    resourceUri,
    operationName: armOperationName(resourceUri, "PUT"),
    evidenceRole: "Owner",
    subscriptionId: /\/subscriptions\/([^/]+)/i.exec(resourceUri)?.[1] ?? "",
    tenantId: emulator.core.state.tenantId,
    principalOid: "0a0a0a0a-0000-4000-8000-000000000001",
    httpMethod: "PUT",
    requestUrl: `${emulator.armEndpoint}${resourceUri}`,
  });
}

async function converged(latencyMs: number, timeScale: number, env: Record<string, string>) {
  const seed = generateEstate({ services: 1, serversPerService: SERVERS - 1 });
  const rg = seed.subscriptions[0]?.resourceGroups?.[0];
  if (!rg) throw new Error("estate without a resource group");
  rg.arcMachines = [{ name: "fs-new", identity: { principalId: "ae0e0000-0000-4000-8000-000000000001" } }];
  const azurite = await startAzurite();
  const emulator = await startEmulator({
    seed,
    lroMode: "sync",
    throttle: { timeScale },
    latency: { readMs: latencyMs, timeScale },
  });
  const pool = await startInstances(emulator, azurite.connectionString, 2, env);
  const app = pool.instances[0];
  if (!app) throw new Error("no instance");
  await reconcileAllInScope(app, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
  await pool.drain();
  return {
    azurite,
    emulator,
    pool,
    app,
    serviceId: estateIds.serviceId(seed.subscriptions[0] as { subscriptionId: string }, 0),
  };
}

async function register(emulator: EmulatorHandle, pool: InstancePool, serviceId: string) {
  const app = pool.instances[0];
  if (!app) throw new Error("no instance");
  const serverResourceId = await emulator.admin.registerServer({ serviceId, serverName: "fs-new" });
  const switched = switchWatcher(emulator, serverResourceId);
  const eventAt = performance.now();
  const result = await handleArmEvent(app, registrationEvent(emulator, serverResourceId), silentLog);
  if (result.result !== "scheduled")
    throw new Error(`the registration event was not scheduled: ${JSON.stringify(result)}`);
  return { serverResourceId, switched, eventAt };
}

async function identityAlreadyReported(): Promise<string[][]> {
  const latencyMs = envNumber("BENCH_LATENCY_MS", 50);
  const stack = await converged(latencyMs, 1, {});
  try {
    stack.emulator.core.setDelays({ discoveryMs: 0 });
    const { switched, eventAt } = await register(stack.emulator, stack.pool, stack.serviceId);
    const draining = stack.pool.drain();
    const switchedAt = await switched;
    await draining;
    const ms = switchedAt - eventAt;
    const critical = stack.pool.config.reconcileCoalesceDelayMs + DEPENDENT_CALLS * latencyMs;
    return [
      [
        "A: identity reported at registration",
        `event -> switch ${(ms / 1000).toFixed(2)} s`,
        `critical path ${(critical / 1000).toFixed(2)} s (coalescing ${stack.pool.config.reconcileCoalesceDelayMs / 1000} s + ${DEPENDENT_CALLS} x ${latencyMs} ms)`,
        verdict(ms / critical, 1.5),
      ],
    ];
  } finally {
    await stack.emulator.close();
    await stack.azurite.stop();
  }
}

async function identityReportedLater(): Promise<string[][]> {
  const scale = 60;
  const latencyMs = envNumber("BENCH_LATENCY_MS", 50);
  const delays = [2, 5, 15, 30, 60].map((s) => `PT${s}S`).join(","); // PT2M,PT5M,PT15M,PT30M,PT1H / 60
  const discoveryMs = 3_000; // 3 min of ARM time after registration: between the 1st and 2nd re-check
  const stack = await converged(latencyMs, scale, {
    DISCOVERY_RECHECK_DELAYS: delays,
    RECONCILE_COALESCE_DELAY: "PT0.25S",
  });
  try {
    stack.emulator.core.setDelays({ discoveryMs });
    const { switched, eventAt } = await register(stack.emulator, stack.pool, stack.serviceId);
    const draining = stack.pool.drain();
    const reportedAt = eventAt + discoveryMs;
    const switchedAt = await switched;
    await draining;
    const ms = switchedAt - reportedAt;
    // Re-checks run at coalescing + 2 s, then + 5 s, ...: the report at 3 s falls in the 5 s gap.
    const gapMs = 5_000;
    return [
      [
        "B: identity reported later, no event (time / 60)",
        `report -> switch ${(ms / 1000).toFixed(2)} s`,
        `re-check gap ${gapMs / 1000} s (PT5M / 60)`,
        `${(ms / gapMs).toFixed(2)} (expected <= 1.00)`,
      ],
    ];
  } finally {
    await stack.emulator.close();
    await stack.azurite.stop();
  }
}

export default async function run(): Promise<void> {
  const rows = [
    ["scenario", "measured", "baseline", "ratio"],
    ...(await identityAlreadyReported()),
    ...(await identityReportedLater()),
  ];
  console.log(`A new server in a ${SERVERS}-server service, through the app (event -> queue -> worker)`);
  printTable(rows);
}
