import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleArmEvent } from "../../../../src/lib/events/handle-arm-event";
import { silentLog } from "../../../../src/lib/ports/log";
import { takeMergedTriggers } from "../../../../src/lib/store/pending-marker";
import { getRun } from "../../../../src/lib/store";
import { SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

/**
 * A 5,000-event Event Grid delivery for one service, handled as the
 * extension's single dispatch does (every event's invocation started at
 * once, then all awaited): one run absorbs them all, and the pending table
 * sees tens of requests (group-committed trigger rows), not one or more per
 * event. Counting requests instead of timing keeps the test deterministic;
 * each request costs Table Storage round trips under Event Grid's 30 s.
 */
let stack: AppStack;
let pendingRequests = 0;

beforeAll(async () => {
  // The default coalescing delay (15 s): a run's marker is due far enough ahead to be merged into from memory.
  stack = await startAppStack({ settings: { RECONCILE_COALESCE_DELAY: "PT15S" } });
  const counter: PipelinePolicy = {
    name: "countPendingRequests",
    sendRequest(request, next) {
      pendingRequests += 1;
      return next(request);
    },
  };
  stack.app.tables.pending.pipeline.addPolicy(counter);
});
afterAll(async () => stack?.close());

const event = (i: number) => ({
  id: `bulk-${i}`,
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  subject: `${SSS_PROD}/registeredServers/00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  eventTime: new Date().toISOString(),
  data: {
    operationName: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
    resourceUri: `${SSS_PROD}/registeredServers/00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    status: "Succeeded",
  },
});

describe("a large Event Grid delivery", () => {
  it("5,000 events for one service become one queued run holding the other 4,999 as merged triggers, in tens of table requests", async () => {
    const results = await Promise.all(
      Array.from({ length: 5_000 }, (_, i) => handleArmEvent(stack.app, event(i), silentLog)),
    );
    const runIds = new Set(results.flatMap((r) => (r.result === "scheduled" ? r.runs.map((run) => run.runId) : [])));
    expect(results.filter((r) => r.result !== "scheduled")).toEqual([]);
    expect(runIds.size).toBe(1);
    expect(pendingRequests).toBeLessThan(300);

    const [runId = ""] = [...runIds];
    expect((await getRun(stack.app.tables.runs, runId))?.status).toBe("queued");
    // Every merged trigger is stored for the run (the worker lists the first 50 of them and counts them all).
    const merged = await takeMergedTriggers(stack.app.tables.pending, SSS_PROD, runId);
    expect(merged).toHaveLength(4_999);
    expect(new Set(merged.map((t) => (t.kind === "event" ? t.eventId : "")))).toHaveProperty("size", 4_999);
  });
});
