import { Timer } from "@azure/functions";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, type SeedInput } from "../../../../dev/emulator/index";
import { armEvents } from "../../../../src/functions/armEvents";
import { fullSweep } from "../../../../src/functions/fullSweep";
import { handleArmEvent } from "../../../../src/lib/events/handle-arm-event";
import { silentLog } from "../../../../src/lib/ports/log";
import { requestReconcile } from "../../../../src/lib/scheduling/schedule";
import { resourceKey } from "../../../../src/lib/tables/keys";
import { runFromEntity } from "../../../../src/lib/store/run";
import type { RunRecord } from "../../../../src/lib/store/rows";
import { listServerRows } from "../../../../src/lib/store/server";
import { getServiceRow } from "../../../../src/lib/store/service";
import { SSS_BRANCH, SSS_PROD, startAppStack, SUB1, type AppStack } from "../../support/app-harness";

/** Repairs the app makes on its own: new machine identities, duplicated or late events, drift found by the sweep. */
let stack: AppStack;
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};
const FS01_ARC = `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs01`;
const BR02_VM =
  "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-branch/providers/Microsoft.Compute/virtualMachines/vm-br02";

interface RoleAssignment {
  id: string;
  principalId: string;
  scope: string;
  roleDefinitionId: string;
}

async function assignments(): Promise<RoleAssignment[]> {
  return ((await stack.emulator.admin.state()) as { roleAssignments: RoleAssignment[] }).roleAssignments;
}

async function runsOf(serviceId: string): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for await (const e of stack.app.tables.runs.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq '${resourceKey(serviceId)}'` },
  })) {
    const run = runFromEntity(e);
    if (run) runs.push(run);
  }
  return runs;
}

/** The demo seed plus one more Arc machine (with its identity) in rg-arc, for a server registered during the test. */
function seedWithMachine(name: string, hostName: string): SeedInput {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
  const rg = seed.subscriptions[0]?.resourceGroups?.find((g) => g.name === "rg-arc");
  rg?.arcMachines?.push({ name, hostName, identity: { principalId: "a7c00012-0000-4000-8000-000000000012" } });
  return seed;
}

async function deliverEvents(events: unknown[]): Promise<void> {
  for (const event of events) await armEvents(event as never, stack.context("armEvents"));
}

beforeAll(async () => {
  stack = await startAppStack({
    emulator: {
      seed: seedWithMachine("fs12", "fs12.contoso.local"),
      delays: { activationMs: 100, discoveryMs: 2_500 },
    },
    settings: { DISCOVERY_RECHECK_DELAYS: "PT0.5S,PT0.5S,PT1S,PT2S" },
  });
  await stack.emulator.admin.advanceTime(10_000);
  await requestReconcile(stack.app.scheduler, { serviceId: SSS_PROD, trigger: { kind: "http", caller: "setup" } });
  await requestReconcile(stack.app.scheduler, { serviceId: SSS_BRANCH, trigger: { kind: "http", caller: "setup" } });
  await stack.drain();
  await stack.emulator.admin.flushEvents();
  stack.takeEvents(); // the app's own writes raise events too; start clean
});
afterAll(async () => stack?.close());

describe("drift and late news", () => {
  it("duplicated and out-of-order events cause one run, and a late duplicate changes nothing", async () => {
    await stack.emulator.admin.registerServer({ serviceId: SSS_PROD, serverName: "fs10.contoso.local" });
    await stack.emulator.admin.registerServer({ serviceId: SSS_PROD, serverName: "fs11.contoso.local" });
    await stack.emulator.admin.flushEvents();
    const events = stack.takeEvents();
    expect(events).toHaveLength(2);
    // Newest first, the first one twice.
    const runsBefore = new Set((await runsOf(SSS_PROD)).map((r) => r.runId));
    await deliverEvents([events[1], events[0], events[0]]);
    await stack.drain({ timeoutMs: 40_000 });
    const eventRuns = (await runsOf(SSS_PROD)).filter((r) => !runsBefore.has(r.runId) && r.trigger.kind === "event");
    expect(eventRuns).toHaveLength(1);
    expect(eventRuns[0]?.coalescedCount).toBe(2);
    const names = (await listServerRows(stack.app.tables.servers, SSS_PROD)).map((r) => r.record.name);
    expect(names).toEqual(expect.arrayContaining(["fs10.contoso.local", "fs11.contoso.local"]));

    // The same event delivered again minutes later: a run that only reads.
    const seen = new Set((await runsOf(SSS_PROD)).map((r) => r.runId));
    await deliverEvents([events[0]]);
    await stack.drain();
    const late = (await runsOf(SSS_PROD)).filter((r) => !seen.has(r.runId));
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ status: "succeeded", armWrites: 0, trigger: { kind: "event" } });
  });

  it("an Arc identity reset: the new principal is found by host name, re-checked until the agent reports it, granted and switched", async () => {
    const before = (await listServerRows(stack.app.tables.servers, SSS_PROD)).find(
      (r) => r.record.name === "fs01.contoso.local",
    )?.record;
    expect(before?.principalId).toBeDefined();
    const newPrincipal = await stack.emulator.admin.setMachineIdentity(FS01_ARC, "reset");
    expect(newPrincipal).toBeTruthy();
    await stack.emulator.admin.flushEvents();
    const events = stack.takeEvents();
    expect(events.length).toBeGreaterThan(0);
    const results = [];
    for (const event of events) results.push(await handleArmEvent(stack.app, event, silentLog));
    expect(results.some((r) => r.result === "scheduled")).toBe(true);
    // The same machine event again is recognised as already handled.
    expect(await handleArmEvent(stack.app, events[0], silentLog)).toMatchObject({
      result: "ignored",
      reason: expect.stringMatching(/already handled/),
    });

    await stack.drain({ timeoutMs: 40_000 });
    const after = (await listServerRows(stack.app.tables.servers, SSS_PROD)).find(
      (r) => r.record.name === "fs01.contoso.local",
    )?.record;
    expect(after?.principalId).toBe(newPrincipal?.toLowerCase());
    expect(["Switched", "Active"]).toContain(after?.state);
    const granted = (await assignments()).filter((a) => a.principalId.toLowerCase() === newPrincipal?.toLowerCase());
    expect(granted.length).toBeGreaterThan(0);
    const discoveryRuns = (await runsOf(SSS_PROD)).filter(
      (r) => r.trigger.kind === "discovery" || r.trigger.kind === "event",
    );
    expect(discoveryRuns.some((r) => r.followUps.some((f) => f.includes(String(newPrincipal))))).toBe(true);
  });

  it("a second identity change of the now switched server: found by the principal the app recorded, repaired at once (grant, then identity + applicationId)", async () => {
    const before = (await listServerRows(stack.app.tables.servers, SSS_PROD)).find(
      (r) => r.record.name === "fs01.contoso.local",
    )?.record;
    expect(before?.state).toMatch(/Switched|Active/);
    const newPrincipal = (await stack.emulator.admin.setMachineIdentity(FS01_ARC, "reset")) ?? "";
    await stack.emulator.admin.flushEvents();
    const results = [];
    for (const event of stack.takeEvents()) results.push(await handleArmEvent(stack.app, event, silentLog));
    const notes = results.map((r) => (r.result === "scheduled" ? r.note : undefined)).filter((n) => n !== undefined);
    expect(notes).toEqual([expect.stringContaining("matched by previous principal")]);

    await stack.drain({ timeoutMs: 40_000 });
    const repairRun = (await runsOf(SSS_PROD)).find((r) =>
      r.plan?.some((a) => a.kind === "repairServer" && (a as { principalId?: string }).principalId === newPrincipal),
    );
    expect(repairRun?.plan?.map((a) => a.kind)).toEqual(["grantRole", "repairServer"]);
    expect(repairRun?.trigger).toMatchObject({ kind: "event" });
    const raw = await stack.emulator.admin.getServer(`${SSS_PROD}/registeredServers/${before?.serverId}`);
    expect(raw).toMatchObject({ identity: true, applicationId: newPrincipal });
  });

  it("the full sweep repairs a deleted role assignment", async () => {
    const service = (await getServiceRow(stack.app.tables.services, SSS_BRANCH))?.record;
    const servicePrincipal = service?.principalId?.toLowerCase();
    expect(servicePrincipal).toBeDefined();
    const victim = (await assignments()).find((a) => a.principalId.toLowerCase() === servicePrincipal);
    expect(victim).toBeDefined();
    await stack.emulator.admin.deleteRoleAssignment(victim?.id ?? "");
    expect((await assignments()).some((a) => a.id === victim?.id)).toBe(false);

    await fullSweep(timer, stack.context("fullSweep"));
    await stack.drain();
    const restored = (await assignments()).find(
      (a) =>
        a.principalId.toLowerCase() === servicePrincipal &&
        a.scope.toLowerCase() === victim?.scope.toLowerCase() &&
        a.roleDefinitionId === victim?.roleDefinitionId,
    );
    expect(restored).toBeDefined();
    const sweepRun = (await runsOf(SSS_BRANCH)).find((r) => r.trigger.kind === "timer");
    expect(sweepRun?.outcomes?.some((o) => o.status === "succeeded")).toBe(true);
  });

  it("a VM whose identity is turned on later is matched by its computer name (not its resource name) and brought over", async () => {
    const before = (await listServerRows(stack.app.tables.servers, SSS_BRANCH)).find(
      (r) => r.record.name === "br02",
    )?.record;
    expect(before?.state).toBe("NoIdentity");
    const principal = await stack.emulator.admin.setMachineIdentity(BR02_VM, "enable");
    await stack.emulator.admin.flushEvents();
    await deliverEvents(stack.takeEvents());
    await stack.drain({ timeoutMs: 40_000 });
    const after = (await listServerRows(stack.app.tables.servers, SSS_BRANCH)).find(
      (r) => r.record.name === "br02",
    )?.record;
    expect(after?.principalId).toBe(principal?.toLowerCase());
    expect(["Switched", "Active"]).toContain(after?.state);
  });

  it("a newly registered server whose agent reports its identity minutes later is looked at again until it does", async () => {
    await stack.emulator.admin.registerServer({ serviceId: SSS_PROD, serverName: "fs12.contoso.local" });
    await stack.emulator.admin.flushEvents();
    await deliverEvents(stack.takeEvents());
    await stack.drain({ timeoutMs: 40_000 });
    const fs12 = (await listServerRows(stack.app.tables.servers, SSS_PROD)).find(
      (r) => r.record.name === "fs12.contoso.local",
    )?.record;
    expect(fs12?.principalId).toBe("a7c00012-0000-4000-8000-000000000012");
    expect(["Switched", "Active"]).toContain(fs12?.state);
    const retries = (await runsOf(SSS_PROD)).filter((r) => r.trigger.kind === "retry");
    expect(retries.length).toBeGreaterThan(0);
    expect(JSON.stringify(retries[retries.length - 1]?.trigger)).toMatch(/without a reported identity/);
  });
});
