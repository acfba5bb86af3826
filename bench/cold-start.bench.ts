import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { printTable } from "./support/table";

/**
 * Cold start: a fresh `node` that requires what the Functions host loads
 * before the first invocation (package.json main: dist/index.js with the
 * appStart hook and every dist/functions/*.js registration, with all they
 * import at the top) against a bare `node` start, same run, alternating
 * so machine load hits both alike. Target: at most 250 ms more than the bare
 * start (the median of each). The Functions host's own start is not ours to
 * measure. `npm run bench` builds dist/ first.
 */
const RUNS = 9;
const TARGET_EXTRA_MS = 250;

function timeNode(args: string[]): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${child.stderr.toString().slice(0, 500)}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export default async function run(): Promise<void> {
  const dir = path.join(__dirname, "..", "dist", "functions");
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run npm run build (npm run bench does)`);
  const files = [
    path.join(dir, "..", "index.js"),
    ...readdirSync(dir)
      .filter((f) => f.endsWith(".js"))
      .map((f) => path.join(dir, f)),
  ];
  const load = `for (const f of ${JSON.stringify(files)}) require(f);`;
  const bare: number[] = [];
  const loaded: number[] = [];
  timeNode(["-e", load]); // warm the file cache for both
  for (let i = 0; i < RUNS; i++) {
    bare.push(timeNode(["-e", ""]));
    loaded.push(timeNode(["-e", load]));
  }
  const extra = median(loaded) - median(bare);
  console.log(`Cold start: node requiring index.js and all ${files.length - 1} function modules vs bare node (median of ${RUNS} each)`);
  printTable([
    ["bare node (ms)", "all function modules (ms)", "extra (ms)", "loaded / bare", "extra / 250 ms target"],
    [
      median(bare).toFixed(0),
      median(loaded).toFixed(0),
      extra.toFixed(0),
      (median(loaded) / median(bare)).toFixed(2),
      `${(extra / TARGET_EXTRA_MS).toFixed(2)} (target <= 1.00) ${extra <= TARGET_EXTRA_MS ? "met" : "MISSED"}`,
    ],
  ]);
}
