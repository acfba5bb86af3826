import type { Lease } from "../store";

/** Thrown before a write a holder may no longer make: its lease was lost. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LeaseLostError";
  }
}

/**
 * A worker's own view of the service lease it holds. It may write (to ARM and
 * to the journal) only while the lease is good by its own clock with a third
 * of the lease duration to spare (the heartbeat renews every third, so a
 * healthy holder never comes near), and while no renewal has found the lease
 * taken. A process paused past its lease (SIGSTOP, a frozen VM) finds on
 * waking that the lease ran out by its clock and stops before its next write;
 * a second worker may hold the lease by then, under a higher generation.
 */
export class LeaseFence {
  private lostBecause: string | undefined;

  constructor(
    private held: Lease,
    private readonly durationMs: number,
    private readonly now: () => Date,
  ) {}

  get lease(): Lease {
    return this.held;
  }

  get generation(): number {
    return this.held.generation;
  }

  renewed(lease: Lease): void {
    this.held = lease;
  }

  lost(reason: string): void {
    this.lostBecause ??= reason;
  }

  /** Why the holder must stop, or undefined while it may write. */
  problem(): string | undefined {
    if (this.lostBecause) return this.lostBecause;
    const leftMs = this.held.expiresAt.getTime() - this.now().getTime();
    if (leftMs <= this.durationMs / 3) {
      return leftMs <= 0
        ? `it expired at ${this.held.expiresAt.toISOString()} by this worker's clock (${Math.round(-leftMs / 1000)} s ago) without a renewal`
        : `it expires at ${this.held.expiresAt.toISOString()}, less than a third of the lease duration away, without a renewal`;
    }
    return undefined;
  }

  /** Throws LeaseLostError when the holder may no longer write. */
  check(): void {
    const problem = this.problem();
    if (problem)
      throw new LeaseLostError(
        `the lease of ${this.held.serviceId} (generation ${this.held.generation}) was lost: ${problem}`,
      );
  }
}
