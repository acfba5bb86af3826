/**
 * The real exporter, built by the app's real composition root from
 * APPLICATIONINSIGHTS_CONNECTION_STRING and the app's credential (here the
 * emulator's managed-identity endpoint), pointed at a local ingestion
 * endpoint: what a run, a failed run, an activation check and a sweep send.
 */
import { randomUUID } from "node:crypto";
import type { Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { activationCheck } from "../../../../src/functions/activationCheck";
import { fullSweep } from "../../../../src/functions/fullSweep";
import { requestReconcile } from "../../../../src/lib/scheduling/schedule";
import { SERVER_STATES } from "../../../../src/lib/store/rows";
import { listServerRows } from "../../../../src/lib/store/server";
import { EVENT_NAMES } from "../../../../src/lib/telemetry/events";
import { SSS_BRANCH, SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";
import { customEvents, startIngestionEndpoint, type IngestionEndpoint } from "../../support/ingestion-endpoint";

let stack: AppStack;
let ingestion: IngestionEndpoint;
const instrumentationKey = randomUUID();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};
const eventsNamed = (name: string) => customEvents(ingestion.envelopes).filter((e) => e.name === name);

beforeAll(async () => {
  ingestion = await startIngestionEndpoint(inject("localTls"), instrumentationKey);
  stack = await startAppStack({
    settings: {
      ACTIVATION_WINDOW: "PT1S",
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
      // The exporter's own usage statistics go to a fixed Microsoft endpoint: not from a test.
      APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: "true",
    },
  });
  await stack.emulator.admin.advanceTime(10_000); // agents report their identities
});
afterAll(async () => {
  await stack?.close();
  await ingestion?.close();
});

describe("telemetry to Application Insights", () => {
  it("a run sends its outcome, ARM calls and duration, and the service's counts by state, with the app's Entra token", async () => {
    await stack.emulator.admin.setDelays({ activationMs: 24 * 3_600_000 }); // the agents never pick the switch up
    const run = await requestReconcile(stack.app.scheduler, {
      serviceId: SSS_BRANCH,
      trigger: { kind: "http", caller: "test" },
    });
    await stack.drain();

    const [runEvent, ...more] = eventsNamed(EVENT_NAMES.run);
    expect(more).toEqual([]);
    expect(runEvent?.properties).toMatchObject({
      serviceId: SSS_BRANCH,
      runId: run.runId,
      status: "succeeded",
      trigger: "http",
      dryRun: "false",
      converged: "true",
    });
    expect(runEvent?.measurements.armWrites).toBeGreaterThan(0);
    expect(runEvent?.measurements.armReads).toBeGreaterThan(0);
    expect(runEvent?.measurements.durationMs).toBeGreaterThanOrEqual(0);
    expect(runEvent?.measurements.attempt).toBe(1);

    const rows = (await listServerRows(stack.app.tables.servers, SSS_BRANCH)).map((r) => r.record);
    const [counts] = eventsNamed(EVENT_NAMES.serviceCounts);
    expect(counts?.properties).toMatchObject({ serviceId: SSS_BRANCH, source: "run" });
    expect(Object.keys(counts?.measurements ?? {}).sort()).toEqual([...SERVER_STATES].sort());
    expect(counts?.measurements.Switched).toBe(rows.filter((r) => r.state === "Switched").length);
    expect(counts?.measurements.Switched).toBeGreaterThan(0);

    // Every envelope carries the connection string's key, and every request the identity's token for Azure Monitor.
    expect(ingestion.envelopes.every((e) => (e.iKey ?? e.instrumentationKey) === instrumentationKey)).toBe(true);
    expect(ingestion.paths.every((p) => /^POST \/v2(\.1)?\/track/.test(p))).toBe(true);
    const audiences = ingestion.authorizations.map((a) => {
      const payload = (a ?? "").replace(/^Bearer /, "").split(".")[1] ?? "";
      return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { aud?: string }).aud;
    });
    expect(audiences.length).toBeGreaterThan(0);
    for (const aud of audiences) expect(aud).toMatch(/^https:\/\/monitor\.azure\.com/);
  });

  it("the activation check sends one event per server that became overdue, the new counts and its summary", async () => {
    const switched = (await listServerRows(stack.app.tables.servers, SSS_BRANCH))
      .map((r) => r.record)
      .filter((r) => r.state === "Switched");
    await sleep(1_100);
    await activationCheck(timer, stack.context("activationCheck"));

    const overdue = eventsNamed(EVENT_NAMES.serverOverdue);
    expect(overdue.map((e) => e.properties.serverId).sort()).toEqual(switched.map((s) => s.serverId).sort());
    expect(overdue[0]?.properties).toMatchObject({ serviceId: SSS_BRANCH });
    expect(overdue[0]?.properties.remedy).toMatch(/azcmagent|Arc/);
    const check = eventsNamed(EVENT_NAMES.activationCheck);
    expect(check).toHaveLength(1);
    expect(check[0]?.measurements).toMatchObject({
      due: switched.length,
      overdue: switched.length,
      armReads: switched.length,
      reruns: 1,
    });
    const counts = eventsNamed(EVENT_NAMES.serviceCounts).filter((e) => e.properties.source === "activationCheck");
    expect(counts.map((c) => c.measurements.ActivationOverdue)).toEqual([switched.length]);

    // The automatic re-run finds the servers still overdue: no second overdue event for the same switch.
    await stack.drain();
    expect(eventsNamed(EVENT_NAMES.serverOverdue)).toHaveLength(switched.length);
  });

  it("a run that leaves servers Failed sends one event per server that became Failed, and none while they stay so", async () => {
    await stack.emulator.admin.addFault({
      match: { method: "PUT", pathContains: "roleAssignments" },
      effect: { kind: "status", status: 403, code: "AuthorizationFailed" },
    });
    for (let i = 0; i < 2; i++) {
      await requestReconcile(stack.app.scheduler, { serviceId: SSS_PROD, trigger: { kind: "http", caller: "test" } });
      await stack.drain();
    }
    await stack.emulator.admin.clearFaults();
    const failedRows = (await listServerRows(stack.app.tables.servers, SSS_PROD))
      .map((r) => r.record)
      .filter((r) => r.state === "Failed");
    expect(failedRows.length).toBeGreaterThan(0);
    const events = eventsNamed(EVENT_NAMES.serverFailed);
    expect(events.map((e) => e.properties.serverId).sort()).toEqual(failedRows.map((r) => r.serverId).sort());
    expect(events[0]?.properties).toMatchObject({ serviceId: SSS_PROD, errorCode: "AuthorizationFailed" });
    expect(events[0]?.properties.reason).toContain("AuthorizationFailed");
    const runs = eventsNamed(EVENT_NAMES.run).filter((e) => e.properties.serviceId === SSS_PROD);
    expect(runs.map((r) => r.properties.status)).toEqual(["completedWithFailures", "completedWithFailures"]);
    expect(runs.every((r) => (r.measurements.failedActions ?? 0) > 0)).toBe(true);
    const counts = eventsNamed(EVENT_NAMES.serviceCounts).filter((e) => e.properties.serviceId === SSS_PROD);
    expect(counts.at(-1)?.measurements.Failed).toBe(failedRows.length);
  });

  it(
    "a run that fails for good, or is poisoned, is sent with its status and error; the sweep sends what it requested",
    { timeout: 90_000 },
    async () => {
      await stack.emulator.admin.addFault({
        match: { method: "GET", pathContains: "storageSyncServices/sss-branch" },
        effect: { kind: "status", status: 403, code: "AuthorizationFailed" },
      });
      const run = await requestReconcile(stack.app.scheduler, {
        serviceId: SSS_BRANCH,
        trigger: { kind: "http", caller: "test" },
      });
      await stack.drain();
      await stack.emulator.admin.clearFaults();
      const failed = eventsNamed(EVENT_NAMES.run).find((e) => e.properties.runId === run.runId);
      expect(failed?.properties).toMatchObject({
        status: "failed",
        errorCode: "AuthorizationFailed",
        serviceId: SSS_BRANCH,
      });
      expect(failed?.properties.converged).toBeUndefined();

      // Transient errors on every attempt: each attempt is sent, the last as poisoned, with one poison event.
      await stack.emulator.admin.addFault({
        match: { method: "GET", pathContains: "storageSyncServices/sss-branch" },
        effect: { kind: "status", status: 503, code: "ServiceUnavailable", retryAfterSeconds: 0 },
      });
      const poisoned = await requestReconcile(stack.app.scheduler, {
        serviceId: SSS_BRANCH,
        trigger: { kind: "http", caller: "test" },
      });
      await stack.drain({ timeoutMs: 50_000 });
      await stack.emulator.admin.clearFaults();
      const attempts = eventsNamed(EVENT_NAMES.run).filter((e) => e.properties.runId === poisoned.runId);
      expect(attempts.map((a) => [a.properties.status, a.measurements.attempt])).toEqual(
        Array.from({ length: stack.app.maxDequeueCount }, (_, i) => [
          i + 1 < stack.app.maxDequeueCount ? "retrying" : "poisoned",
          i + 1,
        ]),
      );
      expect(eventsNamed(EVENT_NAMES.servicePoisoned)).toEqual([
        {
          name: EVENT_NAMES.servicePoisoned,
          properties: expect.objectContaining({ serviceId: SSS_BRANCH, runId: poisoned.runId }),
          measurements: { attempts: stack.app.maxDequeueCount },
        },
      ]);

      await fullSweep(timer, stack.context("fullSweep"));
      const [sweep] = eventsNamed(EVENT_NAMES.sweep);
      expect(sweep?.properties).toMatchObject({ trigger: "fullSweep", dryRun: "false" });
      expect(sweep?.measurements).toMatchObject({ failedScopes: 0 });
      expect(sweep?.measurements.requested).toBeGreaterThan(0);
    },
  );
});
