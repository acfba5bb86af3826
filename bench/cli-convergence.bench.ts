import { spawn } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startEmulator } from "../dev/emulator/index";
import { estateIds, generateEstate } from "../dev/seeds/generate-estate";
import { convergedServices, estateState } from "./support/estate-check";
import { describeEstate, estateBenchSetup } from "./support/estate-setup";
import { printTable, verdict } from "./support/table";
import { largestBound, throttleBounds } from "./support/throttle-bound";
import { traceBuckets } from "./support/bucket-trace";

/**
 * `afs-identity apply --yes` over the estate of estate-convergence (default 4
 * subscriptions x 15 services, storage in the next subscription), every
 * subscription named with --subscription: the built CLI as a child process,
 * its default --concurrency (BENCH_CLI_CONCURRENCY to change it), against the same emulator (ARM's latency and
 * per-subscription buckets, time compressed by BENCH_TIME_SCALE).
 *
 * Baseline, same run: the throttle-bound minimum, the largest over
 * subscriptions of the time that subscription's requests need through its own
 * buckets after the burst. Target: <= 1.3 x that, 0 duplicates, nothing left.
 */
const CLI = path.resolve(__dirname, "../dist/cli/main.js");

export default async function run(): Promise<void> {
  const setup = estateBenchSetup();
  const { estate, timeScale, latencyMs } = setup;
  for (const line of describeEstate(setup)) console.log(line);
  const emulator = await startEmulator({
    seed: generateEstate(estate),
    lroMode: "sync",
    throttle: { timeScale },
    latency: { readMs: latencyMs, timeScale },
  });
  try {
    await emulator.admin.advanceTime(60_000); // no-op for this seed (identities are reported), kept for agent timers
    emulator.core.recorder.reset();
    emulator.core.throttle.reset();
    const subscriptions = Array.from({ length: estateIds.subscriptionCount(estate) }, (_, k) => [
      "--subscription",
      estateIds.subscriptionId(estate, k),
    ]).flat();
    const stopTrace = traceBuckets(emulator.core.throttle);
    const started = performance.now();
    let convergedAt: number | undefined;
    const watch = setInterval(() => {
      if (convergedAt === undefined && convergedServices(emulator).size === estate.services)
        convergedAt = performance.now();
    }, 250);
    const concurrency = process.env.BENCH_CLI_CONCURRENCY ? ["--concurrency", process.env.BENCH_CLI_CONCURRENCY] : [];
    const child = spawn(process.execPath, [CLI, "apply", "--yes", "--json", ...concurrency, ...subscriptions], {
      env: { PATH: process.env.PATH ?? "", ...emulator.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let lastProgress = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => {
      const lines = c
        .toString()
        .split("\n")
        .filter((l) => l.startsWith("progress: services"));
      if (lines.length) lastProgress = lines[lines.length - 1] ?? lastProgress;
    });
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    const exitedAt = performance.now();
    clearInterval(watch);
    stopTrace();
    const seconds = ((convergedAt ?? exitedAt) - started) / 1000;
    const bounds = throttleBounds(emulator.core.throttle);
    const minimum = largestBound(bounds);
    const end = estateState(emulator);
    const refused = emulator.core.throttle.refused();
    const failures = (JSON.parse(stdout || "{}") as { failures?: unknown[] }).failures?.length ?? -1;
    const arm = (s: number) => (s * timeScale).toFixed(0);
    console.log(
      `CLI: apply --yes over ${estateIds.subscriptionCount(estate)} --subscription scopes, --concurrency ${process.env.BENCH_CLI_CONCURRENCY ?? "default"}; exit ${code}`,
    );
    console.log(`last progress line: ${lastProgress.replace(/^progress: /, "")}`);
    printTable([
      ["subscription", "reads / writes served", "bound (ARM s)"],
      ...bounds.map((b) => [b.subscriptionId, `${b.reads} / ${b.writes}`, arm(b.seconds)]),
    ]);
    printTable([
      ["measure", "value"],
      ["429 answers (waited out by the throttle gate)", String(refused.read + refused.write + refused.delete)],
      ["services failed", String(failures)],
      ["left undone: services / servers", `${end.servicesWithoutUseIdentity} / ${end.serversNotSwitched}`],
      ["assignments / duplicates", `${end.assignments} / ${end.duplicateAssignments}`],
      ["throttle-bound minimum (ARM s)", arm(minimum)],
      ["convergence: ARM state (ARM s)", arm(seconds)],
      ["CLI exited (ARM s)", arm((exitedAt - started) / 1000)],
      ["convergence / minimum", verdict(seconds / minimum, 1.3)],
    ]);
    const ok =
      code === 0 &&
      failures === 0 &&
      end.duplicateAssignments === 0 &&
      end.servicesWithoutUseIdentity === 0 &&
      end.serversNotSwitched === 0;
    console.log(
      ok ? "converged: exit 0, nothing left undone, no duplicate assignment" : "NOT CONVERGED CLEANLY (see above)",
    );
  } finally {
    await emulator.close();
  }
}
