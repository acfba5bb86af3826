import { performance } from "node:perf_hooks";
import { startEmulator } from "../dev/emulator/index";
import { DEFAULT_ESTATE, generateEstate } from "../dev/seeds/generate-estate";
import { createArmConnection, createRoleAssignment, ROLE } from "../src/lib/azure/index";
import { mapWithConcurrency } from "../src/lib/reconcile/index";
import { emulatorCredential } from "../dev/emulator/emulator-credential";
import { envNumber, printTable } from "./support/table";

/**
 * The throttle gate's pacing, measured against the same gate waiting out Retry-After only (the way it worked
 * before pacing): the same role-assignment PUTs through one subscription's write bucket at ARM's documented rates
 * (200 burst, 10 per second), ARM's latency, `BENCH_PACING_CONCURRENCY` at once. Baseline, same run: the
 * Retry-After-only gate and the throttle-bound minimum ((writes - 200) / 10 s). Reports 429s met and writes per
 * second; pacing should meet far fewer 429s at no loss of throughput.
 */
export default async function run(): Promise<void> {
  const writes = envNumber("BENCH_PACING_WRITES", 600);
  const concurrency = envNumber("BENCH_PACING_CONCURRENCY", 16);
  const latencyMs = envNumber("BENCH_LATENCY_MS", 50);
  const emulator = await startEmulator({
    seed: generateEstate({
      ...DEFAULT_ESTATE,
      services: 1,
      serversPerService: 1,
      syncGroupsPerService: 1,
      accountsPerService: 1,
      endpointsPerServer: 1,
    }),
    lroMode: "sync",
    latency: { readMs: latencyMs },
  });
  try {
    const account = [...emulator.core.state.storageAccounts.values()][0]?.id;
    if (!account) throw new Error("the seed has no storage account");
    const credential = emulatorCredential(emulator);
    const measure = async (throttlePacing: boolean, prefix: string) => {
      const arm = createArmConnection({
        endpoint: emulator.armEndpoint,
        credential,
        tlsCa: emulator.caCertPem,
        throttlePacing,
      });
      emulator.core.throttle.reset();
      const principals = Array.from(
        { length: writes },
        (_, i) => `${prefix}-0000-4000-8000-${i.toString().padStart(12, "0")}`,
      );
      const started = performance.now();
      await mapWithConcurrency(principals, concurrency, (principalId) =>
        createRoleAssignment(arm, { scope: account, principalId, roleDefinitionGuid: ROLE.storageAccountContributor }),
      );
      const seconds = (performance.now() - started) / 1000;
      return { seconds, refused: emulator.core.throttle.refused().write };
    };
    const retryAfterOnly = await measure(false, "bbbb0000");
    const paced = await measure(true, "cccc0000");
    const bound = (writes - emulator.core.throttle.writeBurst) / emulator.core.throttle.writePerSecond;
    console.log(
      `${writes} role-assignment PUTs, ${concurrency} at once, one subscription's write bucket (200 burst, 10/s), ${latencyMs} ms per call`,
    );
    const runs = [
      { gate: "Retry-After only (before)", ...retryAfterOnly },
      { gate: "paced at the refill", ...paced },
    ];
    printTable([
      ["gate", "429s met", "seconds", "writes/s", "seconds / throttle-bound minimum"],
      ...runs.map((r) => [
        r.gate,
        String(r.refused),
        r.seconds.toFixed(1),
        (writes / r.seconds).toFixed(2),
        (r.seconds / bound).toFixed(2),
      ]),
    ]);
    printTable([
      ["measure", "value"],
      ["throttle-bound minimum (s)", bound.toFixed(1)],
      ["429s: paced / Retry-After only", `${paced.refused} / ${retryAfterOnly.refused}`],
      ["writes per second: paced / Retry-After only", (retryAfterOnly.seconds / paced.seconds).toFixed(2)],
    ]);
  } finally {
    await emulator.close();
  }
}
