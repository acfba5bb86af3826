import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armEvents } from "../../../../src/functions/armEvents";
import { getRun } from "../../../../src/lib/store/run";
import { listServerRows } from "../../../../src/lib/store/server";
import { getServiceRow } from "../../../../src/lib/store/service";
import { SSS_BRANCH, SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack();
  // Let the simulated agents report the identities of their machines.
  await stack.emulator.admin.advanceTime(10_000);
});
afterAll(async () => stack?.close());

describe("ARM event → queue → reconcile → table rows", () => {
  it("a registered-server write reconciles its service and records servers, service and run", async () => {
    await stack.emulator.admin.registerServer({
      serviceId: SSS_PROD,
      serverName: "fs09.contoso.local",
      agentVersion: "21.2.0.0",
    });
    await stack.emulator.admin.flushEvents();
    const events = stack.takeEvents();
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) await armEvents(event as never, stack.context("armEvents"));

    const stats = await stack.drain();
    expect(stats.failures).toBe(0);

    const service = await getServiceRow(stack.app.tables.services, SSS_PROD);
    expect(service?.record.lastRunStatus).toMatch(/succeeded|completedWithFailures/);
    const rows = await listServerRows(stack.app.tables.servers, SSS_PROD);
    const names = rows.map((r) => r.record.name);
    expect(names).toEqual(expect.arrayContaining(["fs01.contoso.local", "fs09.contoso.local"]));
    const fs01 = rows.find((r) => r.record.name === "fs01.contoso.local")?.record;
    expect(fs01?.state).toBe("Switched");
    expect(fs01?.activationDueAt).toBeDefined();
    const fs02 = rows.find((r) => r.record.name === "fs02.contoso.local")?.record;
    // Agent 17.3 never reports an identity.
    expect(fs02?.state).toBe("AgentTooOld"); // 17.3.0.0 is below the default minimum 20.0.0.0

    const run = await getRun(stack.app.tables.runs, service?.record.lastRunId ?? "");
    expect(run?.trigger.kind).toBe("event");
    expect(run?.plan?.length).toBeGreaterThan(0);
    expect(run?.outcomes?.some((o) => o.requestId)).toBe(true);
    expect(run?.armWrites).toBeGreaterThan(0);
  });

  it("malformed, foreign and out-of-scope events are acknowledged (the handler returns) and logged, never retried", async () => {
    const before = stack.logs.length;
    const junk: unknown[] = [
      null,
      "text",
      { id: "x" },
      {
        id: "x",
        eventType: "Microsoft.Resources.ResourceWriteSuccess",
        subject: "s",
        data: { operationName: "Microsoft.Compute/virtualMachines/write", resourceUri: "not-an-id" },
      },
      { id: "y", eventType: "Microsoft.Storage.BlobCreated", subject: "s", data: {} },
      {
        id: "z",
        eventType: "Microsoft.Resources.ResourceWriteSuccess",
        subject: "s",
        data: {
          operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
          resourceUri:
            "/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/x/registeredServers/y",
        },
      },
    ];
    for (const event of junk)
      await expect(armEvents(event as never, stack.context("armEvents"))).resolves.toBeUndefined();
    const logged = stack.logs
      .slice(before)
      .map((l) => l.message)
      .join("\n");
    expect(logged).toMatch(/not a JSON object/);
    expect(logged).toMatch(/Invalid ARM resource id/);
    expect(logged).toMatch(/not handled/);
    expect(logged).toMatch(/outside MANAGED_SCOPES/);
    expect((await stack.queue.getProperties()).approximateMessagesCount).toBe(0);
  });

  it("a machine event whose machine cannot be read: 403 is acknowledged with a logged reason, 503 is thrown for redelivery", async () => {
    const machine =
      "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs02";
    const event = {
      id: "m1",
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      subject: machine,
      eventTime: new Date().toISOString(),
      dataVersion: "2",
      metadataVersion: "1",
      topic: "/subscriptions/11111111-1111-4111-8111-111111111111",
      data: { operationName: "Microsoft.HybridCompute/machines/write", resourceUri: machine, status: "Succeeded" },
    };
    await stack.emulator.admin.addFault({
      match: { pathContains: "machines/fs02" },
      effect: { kind: "status", status: 403, code: "AuthorizationFailed" },
    });
    await expect(armEvents(event as never, stack.context("armEvents"))).resolves.toBeUndefined();
    expect(stack.logs.map((l) => l.message).join("\n")).toMatch(/fs02: AuthorizationFailed/);
    await stack.emulator.admin.clearFaults();
    await stack.emulator.admin.addFault({
      match: { pathContains: "machines/fs02" },
      effect: { kind: "status", status: 503, code: "ServiceUnavailable", retryAfterSeconds: 0 },
    });
    await expect(armEvents(event as never, stack.context("armEvents"))).rejects.toThrow();
    await stack.emulator.admin.clearFaults();
  });
  it("a batch mixing malformed, oversized and valid events (Event Grid schema and CloudEvents): each bad one is named, every valid one is queued", async () => {
    const before = stack.logs.length;
    const write = (serviceId: string, child: string) => ({
      operationName: `Microsoft.StorageSync/storageSyncServices/${child
        .split("/")
        .filter((_, i) => i % 2 === 0)
        .join("/")}/write`,
      resourceUri: `${serviceId}/${child}`,
      status: "Succeeded",
    });
    const good = {
      id: "good-1",
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      subject: SSS_PROD,
      eventTime: new Date().toISOString(),
      dataVersion: "2",
      // Registered server names are GUIDs (ARM refuses others; so does the app).
      data: write(SSS_PROD, "registeredServers/5e7e0201-0000-4000-8000-0000000000ab"),
    };
    const batch: unknown[] = [
      { ...good, id: "wrong-types", data: { operationName: 42, resourceUri: ["x"] } },
      { ...good, id: "no-data", data: undefined },
      { ...good, id: "x".repeat(5_000) },
      { ...good, id: "huge-uri", data: write(SSS_PROD, `registeredServers/${"a".repeat(5_000)}`) },
      good,
      // Oversized but valid: a 1 MB claim does not stop the event, and only 300 characters of it are kept.
      { ...good, id: "big-claims", data: { ...good.data, claims: { name: "n".repeat(1_000_000) } } },
      {
        specversion: "1.0",
        id: "ce-bad",
        type: "Microsoft.Resources.ResourceWriteSuccess",
        source: "/subscriptions/x",
        data: "not an object",
      },
      {
        specversion: "1.0",
        id: "ce-good",
        type: "Microsoft.Resources.ResourceWriteSuccess",
        source: "/subscriptions/x",
        subject: SSS_BRANCH,
        data: write(SSS_BRANCH, "syncGroups/sg/cloudEndpoints/ce"),
      },
    ];
    for (const event of batch)
      await expect(armEvents(event as never, stack.context("armEvents"))).resolves.toBeUndefined();

    const logged = stack.logs.slice(before).map((l) => l.message);
    const rejected = (pattern: RegExp) =>
      expect(
        logged.some((m) => /ARM event rejected/.test(m) && pattern.test(m)),
        String(pattern),
      ).toBe(true);
    rejected(/wrong-types: data\.operationName: .*string.*data\.resourceUri: .*string/);
    rejected(/malformed event no-data: data: /);
    rejected(/malformed event x{100}: id: .*200 characters/);
    rejected(/huge-uri: data\.resourceUri: /);
    rejected(/malformed event ce-bad: data: .*received string/);
    expect(logged.filter((m) => /ARM event rejected/.test(m))).toHaveLength(5);

    await stack.drain();
    const prod = await getRun(
      stack.app.tables.runs,
      (await getServiceRow(stack.app.tables.services, SSS_PROD))?.record.lastRunId ?? "",
    );
    const prodTriggers = [prod?.trigger, ...(prod?.coalescedTriggers ?? [])];
    expect(prodTriggers.map((t) => (t?.kind === "event" ? t.eventId : undefined)).sort()).toEqual([
      "big-claims",
      "good-1",
    ]);
    const bigClaims = prodTriggers.find((t) => t?.kind === "event" && t.eventId === "big-claims");
    expect(bigClaims?.kind === "event" ? bigClaims.caller : undefined).toBe("n".repeat(300));
    const branch = await getRun(
      stack.app.tables.runs,
      (await getServiceRow(stack.app.tables.services, SSS_BRANCH))?.record.lastRunId ?? "",
    );
    expect(branch?.trigger).toMatchObject({ kind: "event", eventId: "ce-good" });
  });
});
