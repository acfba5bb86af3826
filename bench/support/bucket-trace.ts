import type { ArmThrottle } from "../../dev/emulator/faults/arm-throttle";

/**
 * BENCH_TRACE: every `everyMs`, what each subscription's buckets served since the last line (writes, reads, 429s
 * overall), so a run shows which bucket stood idle while the estate still needed it.
 */
export function traceBuckets(throttle: ArmThrottle, everyMs = 10_000): () => void {
  if (!process.env.BENCH_TRACE) return () => undefined;
  const started = Date.now();
  let last = throttle.granted();
  let lastRefused = throttle.refused();
  const timer = setInterval(() => {
    const now = throttle.granted();
    const refused = throttle.refused();
    const parts = [...now].map(([sub, c]) => {
      const before = last.get(sub) ?? { read: 0, write: 0, delete: 0 };
      return `…${sub.slice(-4)} w${c.write - before.write} r${c.read - before.read}`;
    });
    const newly = refused.write + refused.read - lastRefused.write - lastRefused.read;
    console.log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${parts.join(" | ")} | 429s ${newly}`);
    last = now;
    lastRefused = refused;
  }, everyMs);
  return () => clearInterval(timer);
}
