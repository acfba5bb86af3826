import type { StoreTables } from "../tables/clients";
import type { AppLog } from "../ports/log";
import { acquireLease, releaseLease, renewLease } from "../store";
import { LeaseFence } from "./lease-fence";

export interface LeaseDeps {
  tables: Pick<StoreTables, "leases">;
  config: { leaseDurationMs: number };
  now(): Date;
}

/** Who holds the service's lease when we could not take it. */
export interface LeaseHeld {
  acquired: false;
  heldBy: string;
  expiresAt: Date;
}

/**
 * Runs `work` while this worker holds the service's lease, or returns who
 * holds it. The lease is renewed every third of its duration while `work`
 * runs, so a slow run (throttling, PrincipalNotFound back-off) keeps the
 * service to itself and the status API does not take it for abandoned; it is
 * released when `work` ends, however it ends. `work` gets the lease's fence:
 * it stops the run before its next write once a renewal finds the lease
 * taken, or the lease runs out by this worker's clock (a paused process).
 */
export async function withLease<T>(
  deps: LeaseDeps,
  lease: { serviceId: string; owner: string; runId: string },
  log: AppLog,
  work: (fence: LeaseFence) => Promise<T>,
): Promise<{ acquired: true; result: T } | LeaseHeld> {
  const taken = await acquireLease(
    deps.tables.leases,
    lease.serviceId,
    lease.owner,
    deps.config.leaseDurationMs,
    deps.now(),
  );
  if (!taken.acquired) return taken;
  if (taken.replaced) log.error(`${lease.serviceId}: ${taken.replaced}`);
  const fence = new LeaseFence(taken.lease, deps.config.leaseDurationMs, () => deps.now());
  let renewing: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(
    () => {
      renewing = renewLease(deps.tables.leases, fence.lease, deps.config.leaseDurationMs, deps.now()).then(
        (renewed) => {
          if (renewed) fence.renewed(renewed);
          else {
            fence.lost("a renewal found it expired and taken over, or gone");
            log.warn(`${lease.serviceId}: the lease of run ${lease.runId} was lost (expired and taken over)`);
          }
        },
        (error: unknown) => log.warn(`could not renew the lease of ${lease.serviceId}`, error),
      );
    },
    Math.max(500, Math.floor(deps.config.leaseDurationMs / 3)),
  );
  try {
    return { acquired: true, result: await work(fence) };
  } finally {
    clearInterval(heartbeat);
    await renewing; // releasing with the ETag of a renewal still in flight would leave the lease held
    await releaseLease(deps.tables.leases, fence.lease).catch((error: unknown) =>
      log.warn(`could not release the lease of ${lease.serviceId}`, error),
    );
  }
}
