/**
 * The emulator's notion of "now": real time plus an offset that the admin API
 * advances. Every delay (agent discovery, activation, principal replication,
 * long-running operations) is measured on this clock, so tests skip waiting
 * by advancing it instead of sleeping.
 */
export class SimulatedClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance(ms): ms must be a non-negative number, got ${ms}`);
    this.offsetMs += ms;
    return this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }
}
