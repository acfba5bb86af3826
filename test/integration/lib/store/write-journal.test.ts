import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import {
  resolveIntent,
  resolveInterruptedWrites,
  resolveWritesAgain,
  listRunWrites,
  tableWriteJournal,
  listUnresolvedIntents,
} from "../../../../src/lib/store/journal";
import { newRunId } from "../../../../src/lib/tables/run-id";
import type { WriteIntent } from "../../../../src/lib/reconcile/write-journal";

const serviceId =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";
const grant = (): WriteIntent => ({
  actionId: "grant-1",
  kind: "grantRole",
  method: "PUT",
  target: `${serviceId}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`,
  principalId: randomUUID(),
  roleDefinitionGuid: randomUUID(),
  scope: serviceId,
  clientRequestId: randomUUID(),
});

describe("the Writes table journal", () => {
  it("records an intent before the write and its outcome after; lists a run's writes across attempts; finds and resolves intents left open", async () => {
    const table = TableClient.fromConnectionString(
      inject("azuriteConnectionString"),
      `writes${randomBytes(4).toString("hex")}`,
      {
        allowInsecureConnection: true,
      },
    );
    await table.createTable();
    const runId = newRunId(serviceId);
    const other = newRunId(serviceId, new Date(Date.now() - 60_000));
    const [a, b, c] = [grant(), grant(), grant()];
    const attempt1 = tableWriteJournal(table, { serviceId, runId, attempt: 1, leaseGeneration: 4 });
    await attempt1.intend(a); // killed before completing
    const attempt2 = tableWriteJournal(table, { serviceId, runId, attempt: 2, leaseGeneration: 5 });
    await attempt2.intend(b);
    await attempt2.complete(b.clientRequestId, { status: "applied", armRequestId: "req-b" });
    await tableWriteJournal(table, { serviceId, runId: other, attempt: 1 }).intend(c);

    expect(
      (await listRunWrites(table, runId)).map((w) => [w.attempt, w.clientRequestId, w.status, w.armRequestId]),
    ).toEqual([
      [1, a.clientRequestId, "intended", undefined],
      [2, b.clientRequestId, "applied", "req-b"],
    ]);
    const open = await listUnresolvedIntents(table, serviceId);
    expect(open.map((w) => w.clientRequestId).sort()).toEqual([a.clientRequestId, c.clientRequestId].sort());
    const left = open.find((w) => w.clientRequestId === a.clientRequestId);
    if (!left) throw new Error("the open intent is listed");
    expect(left.leaseGeneration).toBe(4);
    // Not the resolver's to resolve: a holder of the same (or an older) generation.
    expect(
      await resolveIntent(table, left, {
        status: "notApplied",
        resolvedBy: "x#1",
        generation: 4,
        finishedAt: new Date(),
      }),
    ).toBe(false);
    expect(
      await resolveIntent(table, left, {
        status: "applied",
        resolvedBy: `${runId}#2`,
        generation: 5,
        finishedAt: new Date(),
      }),
    ).toBe(true);
    expect((await listRunWrites(table, runId))[0]).toMatchObject({
      status: "applied",
      resolvedBy: `${runId}#2`,
      resolvedByGeneration: 5,
      principalId: a.principalId,
    });
    // Resolved as it was read: a second resolution from the same stale read changes nothing.
    expect(
      await resolveIntent(table, left, {
        status: "notApplied",
        resolvedBy: "y#1",
        generation: 9,
        finishedAt: new Date(),
      }),
    ).toBe(false);
  });

  it("refuses an intent (so the write behind it) once the attempt's guard says its lease is lost", async () => {
    const table = TableClient.fromConnectionString(
      inject("azuriteConnectionString"),
      `writes${randomBytes(4).toString("hex")}`,
      {
        allowInsecureConnection: true,
      },
    );
    await table.createTable();
    const runId = newRunId(serviceId);
    let lost = false;
    const journal = tableWriteJournal(
      table,
      { serviceId, runId, attempt: 1, leaseGeneration: 2 },
      () => new Date(),
      () => {
        if (lost) throw new Error("lease lost");
      },
    );
    await journal.intend(grant());
    lost = true;
    await expect(journal.intend(grant())).rejects.toThrow("lease lost");
    expect(await listRunWrites(table, runId)).toHaveLength(1);

    // Lost while the row was being written: the intent stays open (no write follows) for the next holder to resolve.
    let calls = 0;
    const racing = tableWriteJournal(
      table,
      { serviceId, runId, attempt: 2, leaseGeneration: 2 },
      () => new Date(),
      () => {
        calls += 1;
        if (calls > 1) throw new Error("lease lost");
      },
    );
    await expect(racing.intend(grant())).rejects.toThrow("lease lost");
    expect((await listRunWrites(table, runId)).map((w) => [w.attempt, w.status])).toEqual([
      [1, "intended"],
      [2, "intended"],
    ]);
  });

  it("a recent intent not in effect yet is deferred, not called notApplied: a write sent just before its worker stopped may still land", async () => {
    const table = TableClient.fromConnectionString(
      inject("azuriteConnectionString"),
      `writes${randomBytes(4).toString("hex")}`,
      {
        allowInsecureConnection: true,
      },
    );
    await table.createTable();
    const runId = newRunId(serviceId);
    const write = grant();
    await tableWriteJournal(table, { serviceId, runId, attempt: 1, leaseGeneration: 1 }).intend(write);
    let landed = false;
    const resolution = {
      resolvedBy: "later#1",
      generation: 2,
      now: () => new Date(),
      tookEffect: () => Promise.resolve(landed),
      guard: () => undefined,
    };
    const outcomes: string[] = [];
    const deferred = await resolveInterruptedWrites(
      table,
      serviceId,
      { ...resolution, notAppliedOnlyBefore: new Date(Date.now() - 60_000) },
      (_, o) => outcomes.push(o),
    );
    expect(outcomes).toEqual(["deferred"]);
    expect((await listRunWrites(table, runId))[0]?.status).toBe("intended");
    landed = true; // the write arrives at ARM while the resolving run works
    await resolveWritesAgain(table, deferred, resolution, (_, o) => outcomes.push(o));
    expect(outcomes).toEqual(["deferred", "applied"]);
    expect((await listRunWrites(table, runId))[0]).toMatchObject({ status: "applied", resolvedByGeneration: 2 });
  });

  it("a deferred intent whose write the resolving attempt made itself (ARM answered it applied) is notApplied, though ARM now shows the effect", async () => {
    const table = TableClient.fromConnectionString(
      inject("azuriteConnectionString"),
      `writes${randomBytes(4).toString("hex")}`,
      { allowInsecureConnection: true },
    );
    await table.createTable();
    const stopped = newRunId(serviceId, new Date(Date.now() - 1_000));
    const resolver = newRunId(serviceId);
    const write = grant();
    await tableWriteJournal(table, { serviceId, runId: stopped, attempt: 1, leaseGeneration: 1 }).intend(write);
    let inEffect = false;
    const resolution = {
      resolvedBy: `${resolver}#1`,
      generation: 2,
      now: () => new Date(),
      tookEffect: () => Promise.resolve(inEffect),
      guard: () => undefined,
    };
    const outcomes: string[] = [];
    const deferred = await resolveInterruptedWrites(
      table,
      serviceId,
      { ...resolution, notAppliedOnlyBefore: new Date(Date.now() - 60_000) },
      (_, o) => outcomes.push(o),
    );
    // The resolving run makes the same grant itself (same deterministic target), and ARM creates it.
    const own = { ...write, clientRequestId: randomUUID() };
    const journal = tableWriteJournal(table, { serviceId, runId: resolver, attempt: 1, leaseGeneration: 2 });
    await journal.intend(own);
    await journal.complete(own.clientRequestId, { status: "applied", armRequestId: "req-own" });
    inEffect = true;
    await resolveWritesAgain(table, deferred, resolution, (_, o) => outcomes.push(o));
    expect(outcomes).toEqual(["deferred", "notApplied"]);
    expect((await listRunWrites(table, stopped))[0]).toMatchObject({ status: "notApplied", resolvedByGeneration: 2 });
  });

  it("an interrupted intent is notApplied when a later write of the same target is journaled applied, though ARM shows the effect", async () => {
    const table = TableClient.fromConnectionString(
      inject("azuriteConnectionString"),
      `writes${randomBytes(4).toString("hex")}`,
      { allowInsecureConnection: true },
    );
    await table.createTable();
    const killed = newRunId(serviceId, new Date(Date.now() - 2_000));
    const later = newRunId(serviceId, new Date(Date.now() - 1_000));
    const write = grant();
    await tableWriteJournal(table, { serviceId, runId: killed, attempt: 1, leaseGeneration: 1 }).intend(write);
    // Another run made the same grant afterwards, and ARM answered that it created it.
    const again = { ...write, clientRequestId: randomUUID() };
    const journal = tableWriteJournal(table, { serviceId, runId: later, attempt: 1, leaseGeneration: 2 });
    await journal.intend(again);
    await journal.complete(again.clientRequestId, { status: "applied", armRequestId: "req-later" });
    const outcomes: string[] = [];
    await resolveInterruptedWrites(
      table,
      serviceId,
      {
        resolvedBy: "resolver#1",
        generation: 3,
        now: () => new Date(),
        tookEffect: () => Promise.resolve(true),
        guard: () => undefined,
      },
      (_, o) => outcomes.push(o),
    );
    expect(outcomes).toEqual(["notApplied"]);
    expect((await listRunWrites(table, killed))[0]).toMatchObject({ status: "notApplied", resolvedByGeneration: 3 });
    expect((await listRunWrites(table, later))[0]).toMatchObject({ status: "applied" });
  });
});
