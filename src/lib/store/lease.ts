import type { TableClient } from "@azure/data-tables";
import { resourceKey } from "../tables/keys";
import { decodeRow } from "../tables/entity";
import { leaseRowSchema, type LeaseRow } from "./rows";
import { isConflict, isNotFound, isPreconditionFailed } from "../tables/table-errors";

/**
 * A per-service lease in Table Storage: one row whose ETag decides who holds
 * it. It expires on its own, so a worker that dies never blocks the service
 * for longer than the lease duration. Every acquire raises the row's
 * generation by one (the row is released by expiring it, never deleted), so
 * the generation is a fencing token: what a holder writes carries it, and a
 * later holder can tell the writes of an earlier one.
 */
export interface Lease {
  serviceId: string;
  owner: string;
  expiresAt: Date;
  etag: string;
  /** The fencing token: greater than that of every earlier holder of this service's lease. */
  generation: number;
}

export type LeaseResult =
  | {
      acquired: true;
      lease: Lease;
      /**
       * The row found in place that could not be trusted (unreadable, or expiring implausibly late), which this acquire
       * replaced.
       */
      replaced?: string;
    }
  | { acquired: false; heldBy: string; expiresAt: Date };

/**
 * How far a holder's clock may run ahead of ours. A lease row expiring later
 * than now + duration + this was not written by a holder with a sane clock
 * (or was not written by a holder at all): trusting it would block the
 * service until that time, so it is replaced and named.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

type LeaseEntity = LeaseRow & { partitionKey: string; rowKey: string };

const ROW = "lease";

/**
 * The lease row with its ETag; 404 throws. A row that is no lease counts as long expired, with the reason it is
 * unreadable.
 */
async function readLease(
  table: TableClient,
  partitionKey: string,
): Promise<LeaseRow & { etag: string; unreadable?: string }> {
  const e = await table.getEntity<Record<string, unknown>>(partitionKey, ROW);
  const row = decodeRow(leaseRowSchema, e);
  if (!row) {
    // Its generation is lost with it: the next one starts above any a holder could have reached by counting.
    const generation = typeof e.generation === "number" && Number.isInteger(e.generation) ? e.generation : 1_000_000;
    return {
      serviceId: "",
      owner: "unknown",
      expiresAt: new Date(0).toISOString(),
      acquiredAt: "",
      generation,
      etag: e.etag,
      unreadable: "it is not a lease row",
    };
  }
  const unreadable = Number.isNaN(Date.parse(row.expiresAt))
    ? `its expiresAt ${JSON.stringify(row.expiresAt.slice(0, 60))} is not a time`
    : undefined;
  return { ...row, ...(unreadable ? { expiresAt: new Date(0).toISOString(), unreadable } : {}), etag: e.etag };
}

/** Why a lease row cannot be trusted, or undefined when it can. */
function distrust(current: LeaseRow & { unreadable?: string }, durationMs: number, now: Date): string | undefined {
  if (current.unreadable) return current.unreadable;
  const latest = now.getTime() + durationMs + MAX_CLOCK_SKEW_MS;
  if (Date.parse(current.expiresAt) > latest) {
    return `it expires at ${current.expiresAt}, later than any holder could have set it (now + LEASE_DURATION + ${MAX_CLOCK_SKEW_MS / 60_000} min of clock skew)`;
  }
  return undefined;
}

export async function acquireLease(
  table: TableClient,
  serviceId: string,
  owner: string,
  durationMs: number,
  now: Date = new Date(),
): Promise<LeaseResult> {
  const partitionKey = resourceKey(serviceId);
  const entityOf = (generation: number): LeaseEntity => ({
    partitionKey,
    rowKey: ROW,
    serviceId,
    owner,
    expiresAt: new Date(now.getTime() + durationMs).toISOString(),
    acquiredAt: now.toISOString(),
    generation,
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const entity = entityOf(1);
      const created = await table.createEntity(entity);
      return {
        acquired: true,
        lease: { serviceId, owner, expiresAt: new Date(entity.expiresAt), etag: created.etag ?? "*", generation: 1 },
      };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    let current: LeaseRow & { etag: string; unreadable?: string };
    try {
      current = await readLease(table, partitionKey);
    } catch (error) {
      if (isNotFound(error)) continue; // released between our create and read: try again
      throw error;
    }
    const expiresAt = new Date(current.expiresAt);
    const problem = distrust(current, durationMs, now);
    if (!problem && expiresAt.getTime() > now.getTime()) return { acquired: false, heldBy: current.owner, expiresAt };
    try {
      const entity = entityOf(current.generation + 1);
      const taken = await table.updateEntity(entity, "Replace", { etag: current.etag });
      const lease = {
        serviceId,
        owner,
        expiresAt: new Date(entity.expiresAt),
        etag: taken.etag ?? "*",
        generation: entity.generation,
      };
      return problem
        ? {
            acquired: true,
            lease,
            replaced: `the lease row of ${serviceId} (owner ${current.owner.slice(0, 200)}) was replaced: ${problem}`,
          }
        : { acquired: true, lease };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // another worker took the expired lease first; look again
    }
  }
  const current = await readLease(table, partitionKey).catch(() => undefined);
  return { acquired: false, heldBy: current?.owner ?? "unknown", expiresAt: new Date(current?.expiresAt ?? now) };
}

/**
 * Extends a lease still held (a run that takes longer than LEASE_DURATION must
 * not let a second worker reconcile the same service at the same time).
 * Undefined when it was lost: expired and taken over, or gone.
 */
export async function renewLease(
  table: TableClient,
  lease: Lease,
  durationMs: number,
  now: Date = new Date(),
): Promise<Lease | undefined> {
  const expiresAt = new Date(now.getTime() + durationMs);
  try {
    const renewed = await table.updateEntity(
      { partitionKey: resourceKey(lease.serviceId), rowKey: ROW, expiresAt: expiresAt.toISOString() },
      "Merge",
      {
        etag: lease.etag,
      },
    );
    return { ...lease, expiresAt, etag: renewed.etag ?? lease.etag };
  } catch (error) {
    if (isNotFound(error) || isPreconditionFailed(error)) return undefined;
    throw error;
  }
}

/** Who holds the service's lease now (undefined when nobody does or it has expired). */
export async function getCurrentLease(
  table: TableClient,
  serviceId: string,
  now: Date = new Date(),
): Promise<{ owner: string; expiresAt: Date } | undefined> {
  try {
    const current = await readLease(table, resourceKey(serviceId));
    const expiresAt = new Date(current.expiresAt);
    return expiresAt.getTime() > now.getTime() ? { owner: current.owner, expiresAt } : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Gives the lease back by expiring it for every clock (expiresAt at the
 * epoch; the row, and with it the generation, stays); a lease someone else
 * took over after expiry is left alone.
 */
export async function releaseLease(table: TableClient, lease: Lease): Promise<void> {
  try {
    await table.updateEntity(
      { partitionKey: resourceKey(lease.serviceId), rowKey: ROW, expiresAt: new Date(0).toISOString() },
      "Merge",
      { etag: lease.etag },
    );
  } catch (error) {
    if (isNotFound(error) || isPreconditionFailed(error)) return;
    throw error;
  }
}
