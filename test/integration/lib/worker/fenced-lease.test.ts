import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileRequest } from "../../../../src/lib/queue/messages";
import { silentLog } from "../../../../src/lib/ports/log";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { DEFAULT_SEED_PATH, type SeedInput } from "../../../../dev/emulator/index";
import { createArmConnection, createCredential, patchStorageSyncService } from "../../../../src/lib/azure";
import { acquireLease, getRun, listRunWrites, releaseLease, tableWriteJournal } from "../../../../src/lib/store";
import { newRunId } from "../../../../src/lib/tables/run-id";
import { handleReconcileMessage, type WorkerDeps } from "../../../../src/lib/worker/reconcile-worker";
import { SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

/**
 * Two workers, one service, and a worker paused past its lease: worker A's
 * first ARM write hangs (emulator latency) while its clock is moved past the
 * lease, as a process stopped with SIGSTOP finds on waking. Worker B, whose
 * clock is past A's lease too, takes the lease (generation 2), finds A's write
 * not in effect yet and writes nothing while it may still land. When A's write
 * is answered, A must stop before its next write and journal row, record its
 * attempt as leaseLost and queue the run again.
 */
let stack: AppStack;
const LEASE_MS = 30_000; // the harness's LEASE_DURATION (PT30S)

beforeAll(async () => {
  stack = await startAppStack();
});
afterAll(async () => stack?.close());

const request = (serviceId: string): ReconcileRequest => ({
  v: 1,
  kind: "reconcile",
  serviceId,
  runId: newRunId(serviceId),
  dryRun: false,
  trigger: { kind: "http", caller: "test" },
  requestedAt: new Date().toISOString(),
});

describe("fenced leases", () => {
  it("a worker paused past its lease stops before its next write and journal row; its attempt is leaseLost and the run is queued again", async () => {
    let pausedMs = 0;
    const workerA: WorkerDeps = { ...stack.app, workerId: "worker-a", now: () => new Date(Date.now() + pausedMs) };
    const workerB: WorkerDeps = {
      ...stack.app,
      workerId: "worker-b",
      now: () => new Date(Date.now() + LEASE_MS + 5_000),
    };
    await stack.emulator.admin.addFault({ match: { isWrite: true }, effect: { kind: "latency", ms: 2_500 }, times: 1 });

    const runA = request(SSS_PROD);
    const a = handleReconcileMessage(workerA, runA, { dequeueCount: 1 }, silentLog);
    // A is in its first write; the process "sleeps" past its lease, and B takes over.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const pausedAt = Date.now();
    pausedMs = LEASE_MS + 5_000;
    const runB = request(SSS_PROD);
    const b = await handleReconcileMessage(workerB, runB, { dequeueCount: 1 }, silentLog);
    // A's write is not in effect yet and may still land: B writes nothing and waits for it.
    expect(b).toMatchObject({ outcome: "awaitingWrites", runId: runB.runId });
    expect(await listRunWrites(stack.app.tables.writes, runB.runId)).toEqual([]);

    const outcomeA = await a;
    expect(outcomeA).toMatchObject({ outcome: "leaseLost", runId: runA.runId });
    // A wrote only what it had sent before the pause (its first writes run side by side), under generation 1,
    // each completed with ARM's answer; nothing after it woke.
    const writesA = await listRunWrites(stack.app.tables.writes, runA.runId);
    expect(writesA.length).toBeGreaterThan(0);
    for (const w of writesA) {
      expect(w.leaseGeneration).toBe(1);
      expect(Date.parse(w.intendedAt)).toBeLessThan(pausedAt);
      expect(w.status).not.toBe("intended");
    }
    const recordA = await getRun(stack.app.tables.runs, runA.runId);
    expect(recordA?.status).toBe("retrying");
    expect(recordA?.attempts.at(-1)).toMatchObject({ status: "leaseLost", errorCode: "LeaseLost" });

    // B's run, looked at again past A's in-flight window, reconciles under a newer generation; then A's run goes on.
    const workerC: WorkerDeps = { ...stack.app, workerId: "worker-c", now: () => new Date(Date.now() + 3 * LEASE_MS) };
    expect(await handleReconcileMessage(workerC, runB, { dequeueCount: 1 }, silentLog)).toMatchObject({
      outcome: "reconciled",
      status: "succeeded",
    });
    const writesB = await listRunWrites(stack.app.tables.writes, runB.runId);
    expect(writesB.length).toBeGreaterThan(0);
    expect(new Set(writesB.map((w) => w.leaseGeneration))).toEqual(new Set([3]));
    // Every write ARM applied is claimed by exactly one journal row (A's answered write included).
    const rows = [...writesA, ...writesB];
    const applied = (await stack.emulator.admin.writes()).filter((w) =>
      rows.some((j) => j.clientRequestId === w.clientRequestId),
    );
    for (const w of applied)
      expect(
        rows.filter((r) => r.status === "applied" && r.clientRequestId === w.clientRequestId),
        `write ${w.clientRequestId} is journaled as applied once`,
      ).toHaveLength(1);

    expect(await handleReconcileMessage(workerC, runA, { dequeueCount: 1 }, silentLog)).toMatchObject({
      outcome: "reconciled",
      status: "succeeded",
    });
    // The requeued deliveries of both runs are for runs that are over.
    await stack.queue.clearMessages();
  });

  it("while an earlier write not in effect may still reach ARM, the next holder writes nothing; once it has landed, it is that write's own", async () => {
    // The demo estate as seeded: sss-prod has no identity yet.
    await stack.emulator.admin.loadSeed(JSON.parse(await readFile(DEFAULT_SEED_PATH, "utf8")) as SeedInput);
    await stack.emulator.admin.resetWrites();
    // A worker took the lease, stored its intent and was killed right after handing its PATCH to the network: the
    // intent is open, the write has not reached ARM yet, and the lease ran out (released here, to save the wait).
    const killedLease = await acquireLease(stack.app.tables.leases, SSS_PROD, "killed-worker", LEASE_MS);
    if (!killedLease.acquired) throw new Error("the lease is free");
    const killedRun = newRunId(SSS_PROD, new Date(Date.now() - 1_000));
    const late = {
      actionId: "enable-identity",
      kind: "enableServiceIdentity" as const,
      method: "PATCH" as const,
      target: SSS_PROD,
      clientRequestId: randomUUID(),
    };
    await tableWriteJournal(stack.app.tables.writes, {
      serviceId: SSS_PROD,
      runId: killedRun,
      attempt: 1,
      leaseGeneration: killedLease.lease.generation,
    }).intend(late);
    await releaseLease(stack.app.tables.leases, killedLease.lease);

    const run = request(SSS_PROD);
    const waiting = await handleReconcileMessage(stack.app, run, { dequeueCount: 1 }, silentLog);
    expect(waiting).toMatchObject({ outcome: "awaitingWrites", runId: run.runId });
    expect(await listRunWrites(stack.app.tables.writes, run.runId)).toEqual([]);
    expect(await stack.emulator.admin.writes()).toEqual([]);
    const record = await getRun(stack.app.tables.runs, run.runId);
    expect(record?.status).toBe("retrying");
    expect(record?.attempts.at(-1)).toMatchObject({ status: "awaitingWrites", errorCode: "EarlierWritesInFlight" });

    // The killed worker's write arrives.
    const arm = createArmConnection({ endpoint: stack.emulator.armEndpoint, credential: createCredential({}) });
    await patchStorageSyncService(
      arm,
      SSS_PROD,
      { identity: { identityType: "SystemAssigned", userAssignedIdentityIds: [] }, useIdentity: false },
      { clientRequestId: late.clientRequestId },
    );

    // Past the in-flight window (two lease durations after the intent), the run goes on.
    const later: WorkerDeps = { ...stack.app, workerId: "worker-c", now: () => new Date(Date.now() + 2 * LEASE_MS) };
    const done = await handleReconcileMessage(later, run, { dequeueCount: 1 }, silentLog);
    expect(done).toMatchObject({ outcome: "reconciled", status: "succeeded" });
    const killedRows = await listRunWrites(stack.app.tables.writes, killedRun);
    expect(killedRows).toEqual([
      expect.objectContaining({
        clientRequestId: late.clientRequestId,
        status: "applied",
        resolvedBy: `${run.runId}#1`,
      }),
    ]);
    // Every write ARM applied is claimed by exactly one journal row, the late one by its own.
    const rows = [...killedRows, ...(await listRunWrites(stack.app.tables.writes, run.runId))];
    const applied = await stack.emulator.admin.writes();
    expect(applied.length).toBeGreaterThan(1);
    for (const w of applied)
      expect(
        rows.filter((r) => r.status === "applied" && r.clientRequestId === w.clientRequestId),
        `${w.method} ${w.path}`,
      ).toHaveLength(1);
    expect(rows.filter((r) => r.kind === "enableServiceIdentity" && r.status === "applied")).toHaveLength(1);
  });
});
