import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileRequest } from "../../../../src/lib/queue/messages";
import { silentLog } from "../../../../src/lib/ports/log";
import { getRun } from "../../../../src/lib/store";
import { listRunWrites } from "../../../../src/lib/store";
import { newRunId } from "../../../../src/lib/tables/run-id";
import { handleReconcileMessage, type WorkerDeps } from "../../../../src/lib/worker/reconcile-worker";
import { SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

/**
 * Two workers, one service, and a worker paused past its lease: worker A's
 * first ARM write hangs (emulator latency) while its clock is moved past the
 * lease, as a process stopped with SIGSTOP finds on waking. Worker B, whose
 * clock is past A's lease too, takes the lease (generation 2) and reconciles.
 * When A's write is answered, A must stop before its next write and journal
 * row, record its attempt as leaseLost and queue the run again.
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
    expect(b).toMatchObject({ outcome: "reconciled", status: "succeeded" });

    const outcomeA = await a;
    expect(outcomeA).toMatchObject({ outcome: "leaseLost", runId: runA.runId });
    // A wrote only what it had sent before the pause (its first writes run side by side), under generation 1,
    // each completed with ARM's answer; nothing after it woke. B's rows carry generation 2.
    const writesA = await listRunWrites(stack.app.tables.writes, runA.runId);
    expect(writesA.length).toBeGreaterThan(0);
    for (const w of writesA) {
      expect(w.leaseGeneration).toBe(1);
      expect(Date.parse(w.intendedAt)).toBeLessThan(pausedAt);
      expect(w.status).not.toBe("intended");
    }
    const writesB = await listRunWrites(stack.app.tables.writes, runB.runId);
    expect(writesB.length).toBeGreaterThan(0);
    expect(new Set(writesB.map((w) => w.leaseGeneration))).toEqual(new Set([2]));
    // Every write ARM applied is claimed by a journal row (A's answered write included).
    const claimed = new Set(
      [...writesA, ...writesB].filter((w) => w.status === "applied").map((w) => w.clientRequestId),
    );
    const applied = (await stack.emulator.admin.writes()).filter(
      (w) => w.clientRequestId && [...writesA, ...writesB].some((j) => j.clientRequestId === w.clientRequestId),
    );
    for (const w of applied)
      expect(claimed.has(w.clientRequestId ?? ""), `write ${w.clientRequestId} is journaled as applied`).toBe(true);

    const recordA = await getRun(stack.app.tables.runs, runA.runId);
    expect(recordA?.status).toBe("retrying");
    expect(recordA?.attempts.at(-1)).toMatchObject({ status: "leaseLost", errorCode: "LeaseLost" });
    // The run was queued again and finishes under a lease of its own.
    const stats = await stack.drain();
    expect(stats.failures).toBe(0);
    expect((await getRun(stack.app.tables.runs, runA.runId))?.status).toBe("succeeded");
  });
});
