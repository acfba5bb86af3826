import { Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activationCheck } from "../../../../src/functions/activationCheck";
import { runActivationCheck } from "../../../../src/lib/activation/check";
import { silentLog } from "../../../../src/lib/ports/log";
import { requestReconcile } from "../../../../src/lib/scheduling/schedule";
import { getPending } from "../../../../src/lib/store/pending-marker";
import { addDueEntry, listDueEntries } from "../../../../src/lib/store/due-index";
import { serverToEntity } from "../../../../src/lib/store/server";
import { countByState, emptyCounts } from "../../../../src/lib/store/records";
import { type ServerRecord } from "../../../../src/lib/store/rows";
import { resourceKey } from "../../../../src/lib/tables/keys";
import { runFromEntity } from "../../../../src/lib/store/run";
import { listServerRows } from "../../../../src/lib/store/server";
import { getServiceRow, updateServiceRow } from "../../../../src/lib/store/service";
import { SSS_BRANCH, SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

let stack: AppStack;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};

beforeAll(async () => {
  stack = await startAppStack({ settings: { ACTIVATION_WINDOW: "PT1S" } });
  await stack.emulator.admin.advanceTime(10_000); // agents report their identities
});
afterAll(async () => stack?.close());

const rowsOf = async (serviceId: string) =>
  (await listServerRows(stack.app.tables.servers, serviceId)).map((r) => r.record);

describe("activation check", () => {
  it("a switched server still on its certificate after the window → ActivationOverdue with a remedy, and exactly one automatic re-run", async () => {
    await stack.emulator.admin.setDelays({ activationMs: 24 * 3_600_000 }); // the agents never pick the switch up
    await requestReconcile(stack.app.scheduler, { serviceId: SSS_BRANCH, trigger: { kind: "http", caller: "test" } });
    await stack.drain();
    const switched = (await rowsOf(SSS_BRANCH)).filter((s) => s.state === "Switched");
    expect(switched.length).toBeGreaterThan(0);

    // Before the window ends nothing is due, and the check reads nothing.
    const early = await runActivationCheck(stack.app, silentLog);
    expect(early.due).toBe(0);

    await sleep(1_100);
    await activationCheck(timer, stack.context("activationCheck"));
    const overdue = (await rowsOf(SSS_BRANCH)).filter((s) => s.state === "ActivationOverdue");
    expect(overdue.map((s) => s.serverId).sort()).toEqual(switched.map((s) => s.serverId).sort());
    expect(overdue[0]?.remedy).toMatch(/azcmagent|Arc/);
    expect(overdue[0]?.overdueAt).toBeDefined();
    expect((await getServiceRow(stack.app.tables.services, SSS_BRANCH))?.record.counts.ActivationOverdue).toBe(
      overdue.length,
    );

    // The automatic re-run sends the switch again (as the cmdlet does for every Certificate server) and names the
    // likely cause; when that does not take either, no second re-run follows.
    await stack.drain();
    const runs = [];
    for await (const e of stack.app.tables.runs.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${resourceKey(SSS_BRANCH)}'` },
    })) {
      const run = runFromEntity(e);
      if (run) runs.push(run);
    }
    expect(runs.filter((r) => r.trigger.kind === "timer")).toHaveLength(1);
    const resent = (await rowsOf(SSS_BRANCH)).filter((s) => overdue.some((o) => o.serverId === s.serverId));
    for (const s of resent) {
      expect(s).toMatchObject({ state: "Switched", switchAttempts: 2, autoReruns: 1 });
      expect(s.reason).toContain("Likely cause");
      expect(s.remedy).toContain("azcmagent show");
    }
    await sleep(1_100);
    const again = await runActivationCheck(stack.app, silentLog);
    expect(again).toMatchObject({ overdue: overdue.length, reruns: 0 });
    expect((await stack.app.queue.client.getProperties()).approximateMessagesCount).toBe(0);
  });

  it("a switched server using its identity after the window → Active; the check costs only what is due", async () => {
    await stack.emulator.admin.setDelays({ activationMs: 100 });
    await requestReconcile(stack.app.scheduler, { serviceId: SSS_PROD, trigger: { kind: "http", caller: "test" } });
    await stack.drain();
    const switched = (await rowsOf(SSS_PROD)).filter((s) => s.state === "Switched");
    expect(switched.length).toBeGreaterThan(0);
    const due = await listDueEntries(stack.app.tables.due, new Date(Date.now() + 60_000));
    expect(due.map((d) => d.serverId).sort()).toEqual(switched.map((s) => s.serverId).sort());

    await sleep(1_100);
    await stack.emulator.admin.resetCalls();
    const summary = await runActivationCheck(stack.app, silentLog);
    expect(summary).toMatchObject({ due: switched.length, active: switched.length, overdue: 0, reruns: 0 });
    // One registered-server read per due server, nothing else.
    const calls = await stack.emulator.admin.calls();
    expect(calls).toMatchObject({ reads: switched.length, writes: 0 });
    const after = await rowsOf(SSS_PROD);
    for (const s of switched) expect(after.find((a) => a.serverId === s.serverId)?.state).toBe("Active");
    expect((await runActivationCheck(stack.app, silentLog)).due).toBe(0);
  });
  it("a check that died after judging servers is finished by the next one: the re-run is still requested and the counts follow the rows", async () => {
    // What a check killed between writing the verdicts and removing the due entries leaves behind.
    const serviceId = SSS_PROD.replace("sss-prod", "sss-crashed");
    const switchedAt = new Date(Date.now() - 60_000).toISOString();
    const row = (serverId: string, state: ServerRecord["state"]): ServerRecord => ({
      serviceId,
      serverId,
      resourceId: `${serviceId}/registeredServers/${serverId}`,
      name: `${serverId}.contoso.local`,
      state,
      reason: "judged by the check that died",
      principalId: "c0ffee00-0000-4000-8000-000000000001",
      switchedAt,
      lastCheckedAt: switchedAt,
      switchAttempts: 1,
      autoReruns: 0,
    });
    const rows = [
      row("aaaaaaaa-0000-4000-8000-000000000001", "ActivationOverdue"),
      row("aaaaaaaa-0000-4000-8000-000000000002", "Active"),
    ];
    for (const r of rows) {
      await stack.app.tables.servers.createEntity(serverToEntity(r));
      await addDueEntry(stack.app.tables.due, {
        serviceId,
        serverId: r.serverId,
        serverResourceId: r.resourceId,
        principalId: r.principalId,
        switchedAt,
        dueAt: switchedAt,
      });
    }
    await updateServiceRow(stack.app.tables.services, serviceId, (s) => ({
      ...s,
      counts: { ...emptyCounts(), Switched: 2 },
    }));

    await activationCheck(timer, stack.context("activationCheck"));
    expect((await getServiceRow(stack.app.tables.services, serviceId))?.record.counts).toEqual(countByState(rows));
    expect((await rowsOf(serviceId)).find((r) => r.state === "ActivationOverdue")?.autoReruns).toBe(1);
    // The re-run carries the overdue server (queued as is, not merged into a pending run that would drop it).
    const queued = [];
    for await (const e of stack.app.tables.runs.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${resourceKey(serviceId)}'` },
    })) {
      const run = runFromEntity(e);
      if (run?.trigger.kind === "timer") queued.push(run);
    }
    expect(queued).toHaveLength(1);
    expect(await getPending(stack.app.tables.pending, serviceId)).toBeUndefined();
    expect(
      (await listDueEntries(stack.app.tables.due, new Date())).filter((d) => d.serviceId === serviceId),
    ).toHaveLength(0);
    await stack.app.queue.client.clearMessages(); // the re-run of a service the emulator does not have
  });
});
