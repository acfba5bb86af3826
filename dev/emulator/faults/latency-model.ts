/**
 * Per-call latency of ARM as the emulator applies it before answering: a
 * fixed time per read and per write (ARM's front door, the resource provider
 * and the network), optionally with uniform jitter, divided by `timeScale`
 * (the same constant that speeds up the throttle's buckets, so a benchmark
 * can compress an hour of ARM into minutes and keep every ratio). 0 ms
 * (default) answers at once, as the tests want.
 */
export interface LatencyModelOptions {
  /** Time every read takes, in ARM milliseconds (50 is realistic within a region). */
  readMs?: number;
  /** Time every write takes (default: readMs). */
  writeMs?: number;
  /** ± this fraction of the time, uniformly (0..1, default 0). */
  jitter?: number;
  /** Divides every time (default 1). */
  timeScale?: number;
}

export class LatencyModel {
  readonly readMs: number;
  readonly writeMs: number;
  readonly jitter: number;
  readonly timeScale: number;

  constructor(
    options: LatencyModelOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.readMs = nonNegative(options.readMs ?? 0, "readMs");
    this.writeMs = nonNegative(options.writeMs ?? this.readMs, "writeMs");
    this.jitter = nonNegative(options.jitter ?? 0, "jitter");
    if (this.jitter > 1) throw new Error(`LatencyModel: jitter must be between 0 and 1, got ${this.jitter}`);
    this.timeScale = nonNegative(options.timeScale ?? 1, "timeScale");
    if (this.timeScale === 0) throw new Error("LatencyModel: timeScale must be positive");
  }

  /** Real milliseconds to wait before answering one call. */
  delayMs(isWrite: boolean): number {
    const base = isWrite ? this.writeMs : this.readMs;
    if (base === 0) return 0;
    const factor = 1 + this.jitter * (2 * this.random() - 1);
    return (base * factor) / this.timeScale;
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`LatencyModel: ${name} must be a non-negative number, got ${value}`);
  return value;
}
