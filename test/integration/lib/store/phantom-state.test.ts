import { request as httpsRequest } from "node:https";
import { HttpRequest } from "@azure/functions";
import { DefaultAzureCredential } from "@azure/identity";
import { MicrosoftStorageSync } from "@azure/arm-storagesync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armEvents } from "../../../../src/functions/armEvents";
import { reconcileHttp } from "../../../../src/functions/reconcileHttp";
import { serviceHttp } from "../../../../src/functions/serviceHttp";
import { servicesHttp } from "../../../../src/functions/servicesHttp";
import { buildView } from "../../../../src/cli/status/view";
import { logFromContext } from "../../../../src/lib/composition/log";
import { requestReconcile } from "../../../../src/lib/scheduling/schedule";
import { addDueEntry } from "../../../../src/lib/store/due-index";
import { getRun, listRejectedMessages } from "../../../../src/lib/store/run";
import type { ServiceRecord } from "../../../../src/lib/store/rows";
import { getServiceRow } from "../../../../src/lib/store/service";
import { reconcileAllInScope } from "../../../../src/lib/sweep/sweep";
import { SSS_BRANCH, startAppStack, SUB1, type AppStack } from "../../support/app-harness";

/**
 * No phantom state: ids ARM would refuse never get past an entry point (nor
 * reach the emulator under another URL), a service ARM says does not exist
 * leaves no status row, an explicit re-run of one answers ARM's 404, and the
 * sweep marks the rows of a service deleted since.
 */
let stack: AppStack;
const BASE = "https://afs.example.net/api";
const RG = `/subscriptions/${SUB1}/resourceGroups/rg-filesync`;
const GHOST = `${RG}/providers/Microsoft.StorageSync/storageSyncServices/sss-ghost`;
const GHOST_RG = `/subscriptions/${SUB1}/resourceGroups/rg-ghost/providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;
const DOT_DOT = `/subscriptions/${SUB1}/resourceGroups/../providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;
const DOT = `/subscriptions/${SUB1}/resourceGroups/./providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;

beforeAll(async () => {
  stack = await startAppStack();
});
afterAll(async () => stack?.close());

const post = (body: unknown) =>
  reconcileHttp(
    new HttpRequest({
      method: "POST",
      url: `${BASE}/reconcile`,
      body: { string: JSON.stringify(body) },
      headers: { "content-type": "application/json" },
    }),
    stack.context("reconcileHttp"),
  );
const services = async () => ((await servicesHttp()).jsonBody as { services: ServiceRecord[] }).services;
const queued = async () => (await stack.app.queue.client.getProperties()).approximateMessagesCount ?? 0;
const http = { kind: "http" as const, caller: "test" };

describe("ids ARM does not allow", () => {
  it.each([
    DOT_DOT,
    DOT,
    `${RG}./providers/Microsoft.StorageSync/storageSyncServices/sss-prod`,
    `${RG}/providers/Microsoft.StorageSync/storageSyncServices/..`,
  ])("%s is refused by POST /reconcile and GET /service with InvalidServiceId, and nothing is queued", async (id) => {
    const before = await queued();
    const response = await post({ serviceId: id });
    expect(response.status).toBe(400);
    expect(response.jsonBody).toMatchObject({ error: { code: "InvalidServiceId" } });
    const detail = await serviceHttp(
      new HttpRequest({ method: "GET", url: `${BASE}/service?id=${encodeURIComponent(id)}` }),
    );
    expect(detail.status).toBe(400);
    expect(await queued()).toBe(before);
  });

  it("a queue message or an event naming a dot segment is rejected and never reaches ARM under another URL", async () => {
    const requestsBefore = (await stack.emulator.admin.requests()).length;
    await stack.app.queue.client.sendMessage(
      Buffer.from(
        JSON.stringify({
          v: 1,
          kind: "reconcile",
          serviceId: DOT_DOT,
          runId: "r",
          dryRun: false,
          trigger: http,
          requestedAt: new Date().toISOString(),
        }),
      ).toString("base64"),
    );
    const stats = await stack.drain();
    expect(stats).toMatchObject({ failures: 0, poisoned: 0 });
    expect((await listRejectedMessages(stack.app.tables.runs)).some((r) => /"\.\." segment/.test(r.error))).toBe(true);

    const event = {
      id: "dot-event",
      topic: `/subscriptions/${SUB1}`,
      metadataVersion: "1",
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      subject: `${DOT_DOT}/registeredServers/5e7e0201-0000-4000-8000-000000000201`,
      eventTime: new Date().toISOString(),
      dataVersion: "2",
      data: {
        operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
        resourceUri: `${DOT_DOT}/registeredServers/5e7e0201-0000-4000-8000-000000000201`,
      },
    };
    await armEvents(event, stack.context("armEvents"));
    await stack.drain();
    // Nothing for sss-prod went out: the id resolved by URL parsing would have been /subscriptions/…/providers/….
    expect((await stack.emulator.admin.requests()).slice(requestsBefore)).toEqual([]);
  });

  it("the emulator, like ARM, refuses a resource group name ending in a period (SDK) and a raw dot segment", async () => {
    const client = new MicrosoftStorageSync(new DefaultAzureCredential(), SUB1, {
      endpoint: stack.emulator.armEndpoint,
      apiVersion: "2022-09-01",
    });
    await expect(client.storageSyncServices.get("rg-filesync.", "sss-prod")).rejects.toMatchObject({
      statusCode: 400,
      code: "InvalidResourceGroup",
    });
    await expect(client.storageSyncServices.get("rg-filesync", "sss-prod.")).rejects.toMatchObject({
      statusCode: 400,
      code: "InvalidResourceName",
    });
    // A raw path keeps its `..` (fetch and the SDK resolve it first): ARM ids have none, so the emulator refuses it.
    const token = (await new DefaultAzureCredential().getToken(`${stack.emulator.armEndpoint}/.default`))?.token ?? "";
    const url = new URL(stack.emulator.armEndpoint);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: url.hostname,
          port: url.port,
          method: "GET",
          path: `${DOT_DOT}?api-version=2022-09-01`,
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(400);
  });
});

describe("a service ARM says does not exist", () => {
  it("gets no service row; its run is still recorded, as failed with ARM's error", async () => {
    const ask = { serviceId: GHOST, trigger: http, dryRun: false };
    const scheduled = await requestReconcile(stack.app.scheduler, ask, new Date());
    await stack.drain();
    const run = await getRun(stack.app.tables.runs, scheduled.runId);
    expect(run).toMatchObject({ status: "failed", errorCode: "ResourceNotFound" });
    expect(await getServiceRow(stack.app.tables.services, GHOST)).toBeUndefined();
    expect((await services()).map((s) => s.serviceId.toLowerCase())).not.toContain(GHOST.toLowerCase());
  });

  it.each([
    [GHOST, "ResourceNotFound"],
    [GHOST_RG, "ResourceGroupNotFound"],
  ])("an explicit re-run of %s answers 404 %s instead of 202, and queues nothing", async (id, code) => {
    const before = await queued();
    const response = await post({ serviceId: id });
    expect(response.status).toBe(404);
    expect(response.jsonBody).toMatchObject({ error: { code } });
    expect(await queued()).toBe(before);
  });

  it("a service deleted since its last run: the sweep marks its row deleted, drops its activation checks; status shows it deleted, not unconverged", async () => {
    const first = await requestReconcile(
      stack.app.scheduler,
      { serviceId: SSS_BRANCH, trigger: http, dryRun: false },
      new Date(),
    );
    await stack.drain();
    expect((await getRun(stack.app.tables.runs, first.runId))?.status).not.toBe("failed");
    expect((await getServiceRow(stack.app.tables.services, SSS_BRANCH))?.record.deletedAt).toBeUndefined();
    await addDueEntry(stack.app.tables.due, {
      serviceId: SSS_BRANCH,
      serverId: "5e7e0201-0000-4000-8000-000000000299",
      serverResourceId: `${SSS_BRANCH}/registeredServers/5e7e0201-0000-4000-8000-000000000299`,
      switchedAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 60_000).toISOString(),
    });

    // Deleted in Azure through ARM (the SDK's DELETE), as an administrator would.
    const client = new MicrosoftStorageSync(new DefaultAzureCredential(), SSS_BRANCH.split("/")[2] ?? "", {
      endpoint: stack.emulator.armEndpoint,
      apiVersion: "2022-09-01",
    });
    await client.storageSyncServices.beginDeleteAndWait("rg-branch", "sss-branch", { updateIntervalInMs: 10 });

    const sweep = await reconcileAllInScope(
      stack.app,
      { kind: "timer", timer: "fullSweep" },
      {},
      logFromContext(stack.context("fullSweep")),
    );
    expect(sweep.deleted).toEqual([SSS_BRANCH]);
    expect(sweep.runs.map((r) => r.serviceId)).not.toContain(SSS_BRANCH);
    const row = (await services()).find((s) => s.serviceId === SSS_BRANCH);
    expect(row?.deletedAt).toBeDefined();
    expect(row?.deletedReason).toMatch(/^ResourceNotFound/);
    const due = [];
    for await (const e of stack.app.tables.due.listEntities()) due.push(e);
    expect(due).toHaveLength(0);

    const view = buildView({ source: "test", services: await services(), attention: [] });
    expect(view.verdicts.map((v) => v.serviceId)).not.toContain(SSS_BRANCH);

    // A second sweep finds nothing new to mark; the row keeps when it was first found deleted.
    await stack.drain();
    const again = await reconcileAllInScope(
      stack.app,
      { kind: "timer", timer: "fullSweep" },
      {},
      logFromContext(stack.context("fullSweep")),
    );
    expect(again.deleted).toEqual([]);
    expect((await services()).find((s) => s.serviceId === SSS_BRANCH)?.deletedAt).toBe(row?.deletedAt);
    await stack.drain();
  });
});
