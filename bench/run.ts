import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm run bench`: runs every bench/*.bench.ts (or those whose name contains
 * an argument), each in its own process: @azure/identity caches its
 * managed-identity endpoint per process, so two benchmarks that each start an
 * emulator must not share one. Each benchmark prints its own table of ratios
 * against a baseline it measures in the same run; none asserts wall-clock time.
 */
interface BenchModule {
  default: () => Promise<void>;
}

const SINGLE = "--single";

async function runOne(file: string): Promise<void> {
  const module = (await import(join(__dirname, file))) as BenchModule;
  await module.default();
}

function runAll(filters: string[]): number {
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) throw new Error(`no benchmark matches ${filters.join(", ") || "bench/*.bench.ts"}`);
  let failures = 0;
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, SINGLE, file], { stdio: "inherit" });
    if (child.status !== 0) failures += 1;
  }
  return failures === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === SINGLE && args[1]) {
    await runOne(args[1]);
    return 0;
  }
  return runAll(args);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
