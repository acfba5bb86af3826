import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import {
  resolveIntent,
  resolveInterruptedWrites,
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

/** A Writes table of its own in the run's Azurite. */
async function freshTable(): Promise<TableClient> {
  const table = TableClient.fromConnectionString(
    inject("azuriteConnectionString"),
    `writes${randomBytes(4).toString("hex")}`,
    { allowInsecureConnection: true },
  );
  await table.createTable();
  return table;
}

describe("the Writes table journal", () => {
  it("records an intent before the write and its outcome after; lists a run's writes across attempts; finds and resolves intents left open", async () => {
    const table = await freshTable();
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
    const table = await freshTable();
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

  it("an intent not in effect is left open while its write may still land, and notApplied once it no longer can; one in effect, or whose call was answered, is resolved at once", async () => {
    const table = await freshTable();
    const runId = newRunId(serviceId);
    const [landed, lost, onItsWay, answered] = [grant(), grant(), grant(), grant()];
    const writer = tableWriteJournal(table, { serviceId, runId, attempt: 1, leaseGeneration: 1 });
    for (const w of [landed, lost, onItsWay, answered]) await writer.intend(w);
    // Its writer saw the call end with a 503 after the SDK's retries: the outcome is unknown, but nothing is on its way.
    await writer.unanswered(answered.clientRequestId, { errorCode: "ServiceUnavailable", error: "503" });
    const inEffect = new Set([landed.clientRequestId]);
    let now = Date.now();
    const resolve = async (generation: number, notAppliedOnlyBefore: Date) => {
      const outcomes = new Map<string, string>();
      const open = await resolveInterruptedWrites(
        table,
        serviceId,
        {
          resolvedBy: `later#${generation}`,
          generation,
          now: () => new Date(now),
          tookEffect: (w) => Promise.resolve(inEffect.has(w.clientRequestId)),
          guard: () => undefined,
          notAppliedOnlyBefore,
        },
        (w, o) => outcomes.set(w.clientRequestId, o),
      );
      return { outcomes, open: open.map((w) => w.clientRequestId).sort() };
    };

    // Within the window: what is in effect is applied; the rest may still be on its way and stays open.
    const first = await resolve(2, new Date(now - 60_000));
    expect(first.outcomes.get(landed.clientRequestId)).toBe("applied");
    expect(first.outcomes.get(lost.clientRequestId)).toBe("mayBeInFlight");
    expect(first.outcomes.get(answered.clientRequestId)).toBe("notApplied");
    expect(first.open).toEqual([lost.clientRequestId, onItsWay.clientRequestId].sort());
    const byId = async () => new Map((await listRunWrites(table, runId)).map((w) => [w.clientRequestId, w]));
    expect((await byId()).get(answered.clientRequestId)).toMatchObject({
      status: "notApplied",
      errorCode: "ServiceUnavailable",
      resolvedByGeneration: 2,
    });
    expect((await byId()).get(lost.clientRequestId)?.status).toBe("intended");

    // Past the window: one write arrived meanwhile (applied), the other never will (notApplied).
    inEffect.add(onItsWay.clientRequestId);
    now += 120_000;
    const second = await resolve(3, new Date(now - 60_000));
    expect(second.open).toEqual([]);
    const rows = await byId();
    expect(rows.get(landed.clientRequestId)).toMatchObject({ status: "applied", resolvedByGeneration: 2 });
    expect(rows.get(onItsWay.clientRequestId)).toMatchObject({ status: "applied", resolvedByGeneration: 3 });
    expect(rows.get(lost.clientRequestId)).toMatchObject({ status: "notApplied", resolvedByGeneration: 3 });
  });

  it("an intent stored after a newer lease generation began writing is notApplied, though ARM shows the effect another write made", async () => {
    const table = await freshTable();
    const runId = newRunId(serviceId);
    const late = grant();
    // Generation 2 took over and made the grant; then the paused generation-1 writer woke, stored its intent, and its
    // check right after stopped the write.
    const taker = tableWriteJournal(table, { serviceId, runId, attempt: 2, leaseGeneration: 2 });
    const own = { ...late, clientRequestId: randomUUID() };
    await taker.intend(own);
    await taker.complete(own.clientRequestId, { status: "applied", armRequestId: "req-own" });
    await tableWriteJournal(table, { serviceId, runId, attempt: 1, leaseGeneration: 1 }).intend(late);

    const outcomes: string[] = [];
    const open = await resolveInterruptedWrites(
      table,
      serviceId,
      {
        resolvedBy: "resolver#1",
        generation: 3,
        now: () => new Date(),
        tookEffect: () => Promise.resolve(true),
        guard: () => undefined,
        notAppliedOnlyBefore: new Date(Date.now() - 60_000),
      },
      (_, o) => outcomes.push(o),
    );
    expect(open).toEqual([]);
    expect(outcomes).toEqual(["notApplied"]);
    const rows = new Map((await listRunWrites(table, runId)).map((w) => [w.clientRequestId, w.status]));
    expect(rows.get(late.clientRequestId)).toBe("notApplied");
    expect(rows.get(own.clientRequestId)).toBe("applied");
  });

  it("an intent its writer marks unanswered while it is being resolved is read again and resolved", async () => {
    const table = await freshTable();
    const runId = newRunId(serviceId);
    const write = grant();
    const writer = tableWriteJournal(table, { serviceId, runId, attempt: 1, leaseGeneration: 1 });
    await writer.intend(write);
    let marked = false;
    const outcomes: string[] = [];
    const open = await resolveInterruptedWrites(
      table,
      serviceId,
      {
        resolvedBy: "resolver#1",
        generation: 2,
        now: () => new Date(),
        tookEffect: async () => {
          if (!marked)
            await writer.unanswered(write.clientRequestId, { errorCode: "InternalServerError", error: "500" });
          marked = true;
          return false;
        },
        guard: () => undefined,
        notAppliedOnlyBefore: new Date(Date.now() + 60_000),
      },
      (_, o) => outcomes.push(o),
    );
    expect(open).toEqual([]);
    expect(outcomes).toEqual(["completedByWriter", "notApplied"]);
    expect((await listRunWrites(table, runId))[0]).toMatchObject({ status: "notApplied", resolvedByGeneration: 2 });
  });
});
