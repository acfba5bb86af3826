import type { TableClient } from "@azure/data-tables";
import { resourceKey } from "../tables/keys";
import { decodeRow } from "../tables/entity";
import { leaseRowSchema, type LeaseRow } from "./rows";
import { isConflict, isNotFound, isPreconditionFailed } from "../tables/table-errors";

/**
 * A per-service lease in Table Storage: one row whose ETag decides who holds
 * it. It expires on its own, so a worker that dies never blocks the service
 * for longer than the lease duration.
 */
export interface Lease {
  serviceId: string;
  owner: string;
  expiresAt: Date;
  etag: string;
}

export type LeaseResult = { acquired: true; lease: Lease } | { acquired: false; heldBy: string; expiresAt: Date };

type LeaseEntity = LeaseRow & { partitionKey: string; rowKey: string };

const ROW = "lease";

/** The lease row with its ETag; 404 throws. A row that is no lease counts as long expired, so the next acquire replaces it under its ETag. */
async function readLease(table: TableClient, partitionKey: string): Promise<LeaseRow & { etag: string }> {
  const e = await table.getEntity<Record<string, unknown>>(partitionKey, ROW);
  const row = decodeRow(leaseRowSchema, e) ?? { serviceId: "", owner: "unknown", expiresAt: new Date(0).toISOString(), acquiredAt: "" };
  return { ...row, etag: e.etag };
}

export async function acquireLease(table: TableClient, serviceId: string, owner: string, durationMs: number, now: Date = new Date()): Promise<LeaseResult> {
  const partitionKey = resourceKey(serviceId);
  const entity: LeaseEntity = {
    partitionKey,
    rowKey: ROW,
    serviceId,
    owner,
    expiresAt: new Date(now.getTime() + durationMs).toISOString(),
    acquiredAt: now.toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const created = await table.createEntity(entity);
      return { acquired: true, lease: { serviceId, owner, expiresAt: new Date(entity.expiresAt), etag: created.etag ?? "*" } };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    let current: LeaseRow & { etag: string };
    try {
      current = await readLease(table, partitionKey);
    } catch (error) {
      if (isNotFound(error)) continue; // released between our create and read: try again
      throw error;
    }
    const expiresAt = new Date(current.expiresAt);
    if (expiresAt.getTime() > now.getTime()) return { acquired: false, heldBy: current.owner, expiresAt };
    try {
      const taken = await table.updateEntity(entity, "Replace", { etag: current.etag });
      return { acquired: true, lease: { serviceId, owner, expiresAt: new Date(entity.expiresAt), etag: taken.etag ?? "*" } };
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
export async function renewLease(table: TableClient, lease: Lease, durationMs: number, now: Date = new Date()): Promise<Lease | undefined> {
  const expiresAt = new Date(now.getTime() + durationMs);
  try {
    const renewed = await table.updateEntity({ partitionKey: resourceKey(lease.serviceId), rowKey: ROW, expiresAt: expiresAt.toISOString() }, "Merge", {
      etag: lease.etag,
    });
    return { ...lease, expiresAt, etag: renewed.etag ?? lease.etag };
  } catch (error) {
    if (isNotFound(error) || isPreconditionFailed(error)) return undefined;
    throw error;
  }
}

/** Who holds the service's lease now (undefined when nobody does or it has expired). */
export async function getCurrentLease(table: TableClient, serviceId: string, now: Date = new Date()): Promise<{ owner: string; expiresAt: Date } | undefined> {
  try {
    const current = await readLease(table, resourceKey(serviceId));
    const expiresAt = new Date(current.expiresAt);
    return expiresAt.getTime() > now.getTime() ? { owner: current.owner, expiresAt } : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Gives the lease back; a lease someone else took over after expiry is left alone. */
export async function releaseLease(table: TableClient, lease: Lease): Promise<void> {
  try {
    await table.deleteEntity(resourceKey(lease.serviceId), ROW, { etag: lease.etag });
  } catch (error) {
    if (isNotFound(error) || isPreconditionFailed(error)) return;
    throw error;
  }
}
