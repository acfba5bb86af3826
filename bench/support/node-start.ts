import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

/** Wall time of a fresh `node` running args (NODE_OPTIONS cleared, so no loader of the caller's is paid for). */
export function timeNode(args: string[], cwd?: string): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${child.stderr.toString().slice(0, 500)}`);
  return ms;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Medians of a bare `node` start and of each load script, measured alternately
 * (so machine load hits all alike) after one warm-up of each script.
 */
export function compareStarts<K extends string>(
  loads: Record<K, { script: string; cwd?: string }>,
  runs: number,
): Record<K | "bare", number> {
  const entries = Object.entries(loads) as [K, { script: string; cwd?: string }][];
  const bare: number[] = [];
  const loaded = new Map<K, number[]>(entries.map(([name]) => [name, []]));
  for (const [, load] of entries) timeNode(["-e", load.script], load.cwd); // warm the file cache
  for (let i = 0; i < runs; i++) {
    bare.push(timeNode(["-e", ""]));
    for (const [name, load] of entries) loaded.get(name)?.push(timeNode(["-e", load.script], load.cwd));
  }
  const medians = Object.fromEntries([...loaded].map(([name, xs]) => [name, median(xs)])) as Record<K, number>;
  return { ...medians, bare: median(bare) };
}
