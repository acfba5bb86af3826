import { TableClient } from "@azure/data-tables";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { handleReconcileMessage } from "../../../../src/lib/worker/reconcile-worker";
import { handlePoisonedMessage } from "../../../../src/lib/worker/poisoned-message";
import { getRunRecord } from "../../../../src/lib/http/status-api";
import type { RunDetail } from "../../../../src/lib/http/schemas";
import { servePage } from "../../../../src/lib/status-page/routes";
import { silentLog } from "../../../../src/lib/ports/log";
import { requestReconcile } from "../../../../src/lib/scheduling/schedule";
import type { ReconcileRequest } from "../../../../src/lib/queue/messages";
import { acquireLease, getCurrentLease, releaseLease } from "../../../../src/lib/store/lease";
import { getRun, listDuplicateDeliveries, listRejectedMessages } from "../../../../src/lib/store/run";
import { parseRunId } from "../../../../src/lib/tables/run-id";
import { newRunId } from "../../../../src/lib/tables/run-id";
import { getServiceRow } from "../../../../src/lib/store/service";
import { createOrMergePending, getPending, markPendingQueued } from "../../../../src/lib/store/pending-marker";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeQueueMessage, ReconcileQueue } from "../../../../src/lib/queue/reconcile-queue";
import { resourceKey } from "../../../../src/lib/tables/keys";
import { SSS_BRANCH, SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack();
});
afterAll(async () => stack?.close());
beforeEach(async () => {
  await stack.emulator.admin.clearFaults();
  await stack.drain();
});

const http = { kind: "http" as const, caller: "test" };

function request(serviceId: string, extra: Partial<ReconcileRequest> = {}): ReconcileRequest {
  return {
    v: 1,
    kind: "reconcile",
    serviceId,
    runId: newRunId(serviceId),
    dryRun: false,
    trigger: http,
    requestedAt: new Date().toISOString(),
    ...extra,
  };
}

describe("reconcile worker", () => {
  it("records and acknowledges malformed messages without retrying them, and runs the valid one queued among them", async () => {
    const raw = (text: string) => stack.app.queue.client.sendMessage(Buffer.from(text).toString("base64"));
    const valid = request(SSS_BRANCH, { dryRun: true });
    await raw("not json at all");
    await raw(JSON.stringify({ v: 1, kind: "reconcile", serviceId: "/subscriptions/x" }));
    await stack.app.queue.send(
      request(SSS_PROD.replace(SSS_PROD.split("/")[2] ?? "", "99999999-9999-4999-8999-999999999999")),
    );
    await stack.app.queue.send(valid);
    await raw(JSON.stringify({ ...request(SSS_PROD), kind: "purge" }));
    await raw(JSON.stringify({ ...request(SSS_PROD), dryRun: "no", trigger: { kind: "http" } }));
    await raw(JSON.stringify({ ...request(SSS_PROD), runId: newRunId(SSS_BRANCH) }));
    await raw("[1,2,3]");
    // Emoji across the points where the stored copy and the error are cut: no half surrogate pair may reach the table.
    await raw(`${"x".repeat(79)}${"😀".repeat(5_000)}`);
    // Near the queue's 64 KB limit, with dozens of broken entries.
    await raw(
      JSON.stringify({
        ...request(SSS_PROD),
        discovery: Array.from({ length: 40 }, () => ({ machineId: 1 })),
        pad: "p".repeat(20_000),
      }),
    );
    const stats = await stack.drain();
    expect(stats).toMatchObject({ invocations: 10, failures: 0, poisoned: 0 });
    expect((await getRun(stack.app.tables.runs, valid.runId))?.status).toBe("dryRun");
    const rejected = await listRejectedMessages(stack.app.tables.runs);
    const errors = rejected.map((r) => r.error);
    expect(errors).toHaveLength(9);
    const named = (pattern: RegExp) =>
      expect(
        errors.some((e) => pattern.test(e)),
        String(pattern),
      ).toBe(true);
    named(/message is not JSON: not json at all/);
    named(/serviceId: serviceId is not a valid Storage Sync Service resource id: expected/);
    named(/outside MANAGED_SCOPES/);
    named(/kind: .*"reconcile"/);
    named(/dryRun: .*boolean.*trigger\.caller/);
    named(/runId \S+ is not a run of .*sss-prod/);
    named(/message: .*expected object, received array/);
    named(/discovery\.0\.machineId: .*and \d+ more$/);
    expect(Math.max(...errors.map((e) => e.length))).toBeLessThan(4000);
    // Both cuts (80 characters in the error, 8000 in the stored copy) fall inside a pair here.
    const emoji = rejected.find((r) => r.message.startsWith("x".repeat(79)));
    expect(emoji?.error).toBe(`message is not JSON: ${"x".repeat(79)}`);
    expect(emoji?.message).toMatch(/^x{79}(😀)+$/u);
    expect(emoji?.message.length).toBe(7999);
  });

  it("a held lease puts the request back with a delay instead of failing; it runs once the lease is free", async () => {
    const held = await acquireLease(stack.app.tables.leases, SSS_BRANCH, "another-worker", 30_000);
    expect(held.acquired).toBe(true);
    const req = request(SSS_BRANCH, { dryRun: true });
    const outcome = await handleReconcileMessage(stack.app, req, { dequeueCount: 1 }, silentLog);
    expect(outcome).toMatchObject({ outcome: "deferred", heldBy: "another-worker" });
    const { peekedMessageItems } = await stack.app.queue.client.peekMessages({ numberOfMessages: 5 });
    expect(peekedMessageItems).toHaveLength(0); // re-queued invisible, not lost
    expect((await stack.app.queue.client.getProperties()).approximateMessagesCount).toBe(1);
    if (held.acquired) await releaseLease(stack.app.tables.leases, held.lease);
    const stats = await stack.drain();
    expect(stats.failures).toBe(0);
    expect((await getRun(stack.app.tables.runs, req.runId))?.status).toBe("dryRun");
  });

  it("a run slower than its lease renews it: no second worker gets the service meanwhile, and it is free once the run ends", async () => {
    const slowApp = { ...stack.app, config: { ...stack.app.config, leaseDurationMs: 1_500 } };
    await stack.emulator.admin.addFault({
      match: { method: "GET", pathContains: "storageSyncServices/sss-branch" },
      effect: { kind: "latency", ms: 4_000 },
      times: 1,
    });
    const req = request(SSS_BRANCH, { dryRun: true });
    const running = handleReconcileMessage(slowApp, req, { dequeueCount: 1 }, silentLog);
    await new Promise((r) => setTimeout(r, 2_500)); // past the lease it started with
    const other = await acquireLease(stack.app.tables.leases, SSS_BRANCH, "other-worker", 1_500);
    expect(other).toMatchObject({ acquired: false, heldBy: expect.stringMatching(new RegExp(`/${req.runId}$`)) });
    expect(await running).toMatchObject({ outcome: "reconciled", status: "dryRun" });
    const after = await acquireLease(stack.app.tables.leases, SSS_BRANCH, "other-worker", 1_500);
    expect(after.acquired).toBe(true);
    if (after.acquired) await releaseLease(stack.app.tables.leases, after.lease);
  });

  it("two workers contending for one service: exactly one reconciles, the other defers", async () => {
    const [a, b] = [request(SSS_BRANCH, { dryRun: true }), request(SSS_BRANCH, { dryRun: true })];
    const second = { ...stack.app, workerId: "worker-b" };
    // Worker a's first read of the service is held, so b arrives while a certainly holds the lease (started at
    // once, b could come after a had finished and released it: a race the test lost under load).
    await stack.emulator.admin.addFault({
      match: { method: "GET", pathContains: "storageSyncServices/sss-branch" },
      effect: { kind: "latency", ms: 5_000 },
      times: 1,
    });
    const first = handleReconcileMessage(stack.app, a, { dequeueCount: 1 }, silentLog);
    while (!(await getCurrentLease(stack.app.tables.leases, SSS_BRANCH))) await sleep(20);
    const deferred = await handleReconcileMessage(second, b, { dequeueCount: 1 }, silentLog);
    const outcomes = [await first, deferred];
    expect(outcomes.map((o) => o.outcome)).toEqual(["reconciled", "deferred"]);
    await stack.drain();
    expect((await getRun(stack.app.tables.runs, a.runId))?.status).toBe("dryRun");
    expect((await getRun(stack.app.tables.runs, b.runId))?.status).toBe("dryRun");
  });

  it("transient ARM failures are retried by the queue; after the last attempt the service says it was poisoned", async () => {
    await stack.emulator.admin.addFault({
      match: { method: "GET", pathContains: "storageSyncServices/sss-branch" },
      effect: { kind: "status", status: 503, code: "ServiceUnavailable", retryAfterSeconds: 0 },
    });
    const scheduled = await requestReconcile(stack.app.scheduler, { serviceId: SSS_BRANCH, trigger: http });
    const stats = await stack.drain({ timeoutMs: 50_000 });
    expect(stats).toMatchObject({
      invocations: stack.app.maxDequeueCount,
      failures: stack.app.maxDequeueCount,
      poisoned: 1,
    });
    const poisoned = await stack.poison.receiveMessages();
    expect(poisoned.receivedMessageItems).toHaveLength(1);
    expect(decodeQueueMessage(poisoned.receivedMessageItems[0]?.messageText ?? "")).toMatchObject({
      runId: scheduled.runId,
    });
    const service = (await getServiceRow(stack.app.tables.services, SSS_BRANCH))?.record;
    expect(service).toMatchObject({ lastRunStatus: "poisoned", poisonedRunId: scheduled.runId });
    expect(service?.poisonReason).toMatch(/5 attempts/);
    expect((await getRun(stack.app.tables.runs, scheduled.runId))?.status).toBe("poisoned");
  });

  it("a redelivered message of a finished run (base64 JSON, same runId) is acknowledged, leaves the run row unchanged and is recorded as a duplicate", async () => {
    const req = request(SSS_BRANCH);
    await stack.app.queue.send(req);
    expect(await stack.drain()).toMatchObject({ invocations: 1, failures: 0 });
    const keys = parseRunId(req.runId);
    const read = () =>
      stack.app.tables.runs.getEntity<Record<string, unknown>>(keys?.partitionKey ?? "", keys?.rowKey ?? "");
    const before = await read();
    expect(before.status).toBe("succeeded");
    await stack.app.queue.client.sendMessage(Buffer.from(JSON.stringify(req)).toString("base64"));
    expect(await stack.drain()).toMatchObject({ invocations: 1, failures: 0 });
    expect(await read()).toEqual(before); // ETag and Timestamp included: not rewritten
    const duplicates = await listDuplicateDeliveries(stack.app.tables.runs);
    expect(duplicates).toContainEqual(
      expect.objectContaining({ runId: req.runId, serviceId: SSS_BRANCH, runStatus: "succeeded" }),
    );
    // The run's own audit record lists it, through the run API and the run page.
    const api = await getRunRecord(stack.app, {
      method: "GET",
      url: "https://afs.example.net/api/runs/x",
      params: { runId: req.runId },
      headers: { get: () => null },
      text: () => Promise.resolve(""),
    });
    expect((api.jsonBody as RunDetail).duplicateDeliveries).toEqual([
      expect.objectContaining({ runStatus: "succeeded", dequeueCount: 1 }),
    ]);
    const page = await servePage(
      stack.app,
      {
        method: "GET",
        url: `https://afs.example.net/api/page/runs/${req.runId}`,
        params: { path: `runs/${req.runId}` },
        headers: { get: () => null },
        text: () => Promise.resolve(""),
      },
      "functionKey",
      silentLog,
    );
    expect(page.body).toContain("acknowledged without running again (1)");
  });

  it("a run that failed on attempt 1 (a 503 storm outlasting the SDK's retries; 429s are waited out by the throttle gate) and succeeded on attempt 2 shows succeeded with no error, and both attempts", async () => {
    await stack.emulator.admin.addFault({
      match: { operationId: "StorageSyncServices_Get" },
      effect: { kind: "status", status: 503, code: "ServiceUnavailable", retryAfterSeconds: 0 },
      times: 6, // the first try and the SDK's 5 retries of the service read
    });
    const scheduled = await requestReconcile(stack.app.scheduler, { serviceId: SSS_BRANCH, trigger: http });
    const stats = await stack.drain({ timeoutMs: 50_000 });
    expect(stats).toMatchObject({ invocations: 2, failures: 1 });
    const run = await getRun(stack.app.tables.runs, scheduled.runId);
    expect(run?.status).toBe("succeeded");
    expect(run?.error).toBeUndefined();
    expect(run?.errorCode).toBeUndefined();
    expect(run?.attempts.map((a) => [a.attempt, a.status, a.errorCode])).toEqual([
      [1, "retrying", "ServiceUnavailable"],
      [2, "succeeded", undefined],
    ]);
  });

  it("terminal ARM failures (403) are recorded once and not retried", async () => {
    await stack.emulator.admin.addFault({
      match: { method: "GET", pathContains: "storageSyncServices/sss-branch" },
      effect: { kind: "status", status: 403, code: "AuthorizationFailed" },
    });
    const scheduled = await requestReconcile(stack.app.scheduler, { serviceId: SSS_BRANCH, trigger: http });
    const stats = await stack.drain();
    expect(stats).toMatchObject({ invocations: 1, failures: 0 });
    const run = await getRun(stack.app.tables.runs, scheduled.runId);
    expect(run).toMatchObject({ status: "failed", errorCode: "AuthorizationFailed" });
    expect((await getServiceRow(stack.app.tables.services, SSS_BRANCH))?.record.lastError).toMatch(
      /AuthorizationFailed/,
    );
  });

  it("a burst of requests for one service is coalesced into one run that lists every trigger", async () => {
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        requestReconcile(stack.app.scheduler, {
          serviceId: SSS_BRANCH,
          trigger: { kind: "event", eventId: `e${i}`, operationName: "op", subject: SSS_BRANCH },
        }),
      ),
    );
    const runIds = new Set(burst.map((b) => b.runId));
    expect(runIds.size).toBe(1);
    expect(burst.filter((b) => !b.coalesced)).toHaveLength(1);
    const stats = await stack.drain();
    expect(stats.invocations).toBe(1);
    const run = await getRun(stack.app.tables.runs, [...runIds][0] ?? "");
    expect(run?.coalescedCount).toBe(29);
    expect(run?.coalescedTriggers).toHaveLength(29);
    // A request after the run started is not swallowed: it gets a run of its own.
    const later = await requestReconcile(stack.app.scheduler, { serviceId: SSS_BRANCH, trigger: http });
    expect(later.coalesced).toBe(false);
    expect(later.runId).not.toBe(run?.runId);
    await stack.drain();
  });

  it("actions that failed transiently are retried after a back-off (requeue-after), not left to the daily sweep", async () => {
    await stack.emulator.admin.addFault({
      match: { method: "PUT", pathContains: "roleAssignments" },
      effect: { kind: "status", status: 503, code: "ServiceUnavailable", retryAfterSeconds: 0 },
    });
    const first = request(SSS_PROD);
    const outcome = await handleReconcileMessage(stack.app, first, { dequeueCount: 1 }, silentLog);
    expect(outcome).toMatchObject({ outcome: "reconciled", status: "completedWithFailures" });
    const firstRun = await getRun(stack.app.tables.runs, first.runId);
    expect(firstRun?.followUps.join(" ")).toMatch(/retry 1 in 1 s .*ServiceUnavailable/);

    await stack.emulator.admin.clearFaults();
    await stack.drain();
    const service = (await getServiceRow(stack.app.tables.services, SSS_PROD))?.record;
    const retry = await getRun(stack.app.tables.runs, service?.lastRunId ?? "");
    expect(retry?.trigger).toMatchObject({ kind: "retry", previousRunId: first.runId, attempt: 0 });
    expect(retry?.status).toBe("succeeded");
    expect(service?.converged).toBe(true);
  });

  it("of many workers racing for a free lease exactly one gets it; an expired lease can be taken over", async () => {
    const service = SSS_PROD.replace("sss-prod", "sss-race");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => acquireLease(stack.app.tables.leases, service, `w${i}`, 60_000)),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const later = new Date(Date.now() + 61_000);
    const takeover = await acquireLease(stack.app.tables.leases, service, "late-worker", 60_000, later);
    expect(takeover.acquired).toBe(true);
    const winner = results.find((r) => r.acquired);
    // The original holder's release no longer removes the lease someone else now holds.
    if (winner?.acquired) await releaseLease(stack.app.tables.leases, winner.lease);
    expect(await acquireLease(stack.app.tables.leases, service, "third", 60_000, later)).toMatchObject({
      acquired: false,
      heldBy: "late-worker",
    });
  });

  it("a request that could not be recorded or queued leaves neither a pending marker nor a run row behind", async () => {
    const service = SSS_PROD.replace("sss-prod", "sss-unqueued");
    const connection = inject("azuriteConnectionString");
    // Real clients on a table and a queue that do not exist: the writes fail as they would in an outage.
    const noRuns = {
      ...stack.app.scheduler,
      runs: TableClient.fromConnectionString(connection, "missingRunsTable", { allowInsecureConnection: true }),
    };
    await expect(requestReconcile(noRuns, { serviceId: service, trigger: http })).rejects.toThrow();
    const noQueue = { ...stack.app.scheduler, queue: new ReconcileQueue(new QueueClient(connection, "missing-queue")) };
    await expect(requestReconcile(noQueue, { serviceId: service, trigger: http })).rejects.toThrow();
    expect(await getPending(stack.app.tables.pending, service)).toBeUndefined();
    const rows = [];
    for await (const row of stack.app.tables.runs.listEntities({
      queryOptions: { filter: `PartitionKey eq '${resourceKey(service)}'` },
    }))
      rows.push(row);
    expect(rows).toHaveLength(0);

    // The next request is not merged into a run that will never happen.
    const next = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http });
    expect(next.coalesced).toBe(false);
    expect((await getRun(stack.app.tables.runs, next.runId))?.status).toBe("queued");
    await stack.app.queue.client.clearMessages();
  });

  it("a request that died between its pending marker and its message does not swallow the requests after it", async () => {
    const service = SSS_PROD.replace("sss-prod", "sss-orphan");
    // A host killed mid-request: the marker was written, the run row and the message never were.
    const diedAt = new Date(Date.now() - 60_000);
    const orphan = newRunId(service, diedAt);
    const marker = {
      serviceId: service,
      runId: orphan,
      createdAt: diedAt.toISOString(),
      dueAt: new Date(diedAt.getTime() + 1_000).toISOString(),
    };
    await createOrMergePending(stack.app.tables.pending, marker, http, 3_600_000, diedAt);
    const next = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http });
    expect(next.coalesced).toBe(false);
    expect(next.runId).not.toBe(orphan);
    expect((await getRun(stack.app.tables.runs, next.runId))?.status).toBe("queued");
    const merged = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http });
    expect(merged).toMatchObject({ coalesced: true, runId: next.runId });
    expect((await stack.app.queue.client.getProperties()).approximateMessagesCount).toBe(1);
    await stack.app.queue.client.clearMessages();
  });

  it("a request meeting a marker whose message is being sent waits for it, then merges", async () => {
    const service = SSS_PROD.replace("sss-prod", "sss-sending");
    const now = new Date();
    const runId = newRunId(service, now);
    await createOrMergePending(
      stack.app.tables.pending,
      { serviceId: service, runId, createdAt: now.toISOString(), dueAt: now.toISOString() },
      http,
      3_600_000,
      now,
    );
    const waiting = requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http });
    await sleep(500);
    await markPendingQueued(stack.app.tables.pending, service, runId, new Date());
    expect(await waiting).toMatchObject({ coalesced: true, runId });
    expect((await stack.app.queue.client.getProperties()).approximateMessagesCount).toBe(0);
  });

  it("a pending marker whose message was lost stops absorbing requests once stale", async () => {
    const service = SSS_PROD.replace("sss-prod", "sss-lost");
    const lostAt = new Date(Date.now() - 24 * 3_600_000);
    const lost = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http }, lostAt);
    await stack.app.queue.client.clearMessages(); // the message is lost
    const fresh = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http });
    expect(fresh.coalesced).toBe(false);
    expect(fresh.runId).not.toBe(lost.runId);
    const merged = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http });
    expect(merged).toMatchObject({ coalesced: true, runId: fresh.runId });
    expect((await stack.app.queue.client.getProperties()).approximateMessagesCount).toBe(1);
    await stack.app.queue.client.clearMessages();
  });

  it("a lease row expiring in year 9999 or unreadable is named in an error and replaced, not trusted", async () => {
    for (const [name, row] of [
      [
        "sss-farlease",
        {
          serviceId: "x",
          owner: "clock-ahead",
          expiresAt: "9999-12-31T00:00:00.000Z",
          acquiredAt: new Date().toISOString(),
        },
      ],
      ["sss-badlease", { serviceId: "x", owner: "bad-write", expiresAt: "soon", acquiredAt: "" }],
    ] as const) {
      const service = SSS_PROD.replace("sss-prod", name);
      await stack.app.tables.leases.upsertEntity(
        { partitionKey: resourceKey(service), rowKey: "lease", ...row },
        "Replace",
      );
      const result = await acquireLease(stack.app.tables.leases, service, "sane-worker", 60_000);
      expect(result.acquired, name).toBe(true);
      if (result.acquired) {
        expect(result.replaced).toContain(service);
        expect(result.replaced).toContain(row.owner);
        await releaseLease(stack.app.tables.leases, result.lease);
      }
    }
    // A lease a holder set within its duration is trusted as before.
    const service = SSS_PROD.replace("sss-prod", "sss-farlease");
    const held = await acquireLease(stack.app.tables.leases, service, "holder", 60_000);
    expect(await acquireLease(stack.app.tables.leases, service, "other", 60_000)).toMatchObject({
      acquired: false,
      heldBy: "holder",
    });
    if (held.acquired) await releaseLease(stack.app.tables.leases, held.lease);
  });

  it("a pending marker with an unreadable or implausible dueAt is named in an error and replaced, so requests are not swallowed", async () => {
    for (const [name, dueAt] of [
      ["sss-baddue", "not a time"],
      ["sss-fardue", "9999-01-01T00:00:00.000Z"],
    ] as const) {
      const service = SSS_PROD.replace("sss-prod", name);
      const now = new Date();
      await stack.app.tables.pending.upsertEntity(
        {
          partitionKey: resourceKey(service),
          rowKey: "pending",
          serviceId: service,
          runId: newRunId(service, now),
          createdAt: now.toISOString(),
          dueAt,
          queuedAt: now.toISOString(),
        },
        "Replace",
      );
      const errors: string[] = [];
      const next = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http }, new Date(), {
        error: (m: string) => errors.push(m),
      });
      expect(next.coalesced, name).toBe(false);
      expect((await getRun(stack.app.tables.runs, next.runId))?.status).toBe("queued");
      expect(errors.join("\n")).toContain(`the pending marker of ${service} was replaced`);
      expect(errors.join("\n")).toContain(dueAt);
    }
    await stack.app.queue.client.clearMessages();
  });

  it("a run whose message was moved to the poison queue without a last attempt is recorded poisoned, with its service", async () => {
    const service = SSS_PROD.replace("sss-prod", "sss-poisoned");
    const queued = await requestReconcile(stack.app.scheduler, { serviceId: service, trigger: http });
    // The run's message, as the poison queue hands it over (the queued copy is the one the host moved aside).
    const message = request(service, { runId: queued.runId });
    await stack.app.queue.client.clearMessages();
    expect(await handlePoisonedMessage(stack.app, message, silentLog)).toBe("recorded");
    const run = await getRun(stack.app.tables.runs, queued.runId);
    expect(run).toMatchObject({ status: "poisoned", errorCode: "PoisonMessage" });
    expect((await getServiceRow(stack.app.tables.services, service))?.record).toMatchObject({
      poisonedRunId: queued.runId,
    });
    // A run that is over is left as it is.
    expect(await handlePoisonedMessage(stack.app, message, silentLog)).toBe("alreadyOver");
  });
});
