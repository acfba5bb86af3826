import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../../src/lib/config";
import { emptyCounts } from "../../../../src/lib/store/records";
import { SERVER_STATES } from "../../../../src/lib/store/rows";
import {
  EVENT_NAMES,
  newlyFailed,
  poisonEvent,
  runEvent,
  serviceCountsEvent,
} from "../../../../src/lib/telemetry/events";

const minimal = {
  MANAGED_SCOPES: "/subscriptions/11111111-1111-4111-8111-111111111111",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
};

describe("telemetry settings", () => {
  it("is off without APPLICATIONINSIGHTS_CONNECTION_STRING, on with one, and refuses a value that is not a connection string", () => {
    expect(loadConfig(minimal).applicationInsightsConnectionString).toBeUndefined();
    expect(
      loadConfig({ ...minimal, APPLICATIONINSIGHTS_CONNECTION_STRING: "" }).applicationInsightsConnectionString,
    ).toBeUndefined();
    const cs =
      "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/";
    expect(
      loadConfig({ ...minimal, APPLICATIONINSIGHTS_CONNECTION_STRING: cs }).applicationInsightsConnectionString,
    ).toBe(cs);
    expect(() =>
      loadConfig({ ...minimal, APPLICATIONINSIGHTS_CONNECTION_STRING: "https://dc.services.visualstudio.com" }),
    ).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection string/);
  });
});

describe("telemetry events", () => {
  it("leave out what a run did not reach instead of sending 'undefined'", () => {
    const event = runEvent({
      serviceId: "s",
      runId: "r",
      status: "failed",
      trigger: "http",
      dryRun: false,
      attempt: 1,
      durationMs: 5,
      errorCode: "AuthorizationFailed",
    });
    expect(event.name).toBe(EVENT_NAMES.run);
    expect(event.properties).toEqual({
      serviceId: "s",
      runId: "r",
      status: "failed",
      trigger: "http",
      dryRun: "false",
      errorCode: "AuthorizationFailed",
    });
    expect(event.measurements).toEqual({ durationMs: 5, attempt: 1 });
  });

  it("count every state, zeros included, so a query can compare services", () => {
    const event = serviceCountsEvent("s", { ...emptyCounts(), Active: 3 }, "run", true);
    expect(Object.keys(event.measurements).sort()).toEqual([...SERVER_STATES].sort());
    expect(event.measurements.Active).toBe(3);
    expect(event.properties).toEqual({ serviceId: "s", source: "run", converged: "true" });
    expect(poisonEvent({ serviceId: "s", runId: "r", attempts: 5, error: "ServiceUnavailable: x" })).toMatchObject({
      name: EVENT_NAMES.servicePoisoned,
      measurements: { attempts: 5 },
    });
  });

  it("report a server as failed once per failure: when it enters Failed, not while it stays there", () => {
    const state = fc.constantFrom(...SERVER_STATES);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.uuid(), fc.option(state, { nil: undefined }), state), { selector: (t) => t[0] }),
        (rows) => {
          const previous = new Map(
            rows.flatMap(([id, before]) => (before ? [[id.toLowerCase(), before] as const] : [])),
          );
          // Ids in any case: keys are compared lower-cased, as the table stores them.
          const servers = rows.map(([id, , now]) => ({ serverId: id.toUpperCase(), state: now }));
          const reported = newlyFailed(servers, previous).map((s) => s.serverId);
          const expected = rows
            .filter(([, before, now]) => now === "Failed" && before !== "Failed")
            .map(([id]) => id.toUpperCase());
          expect(reported).toEqual(expected);
        },
      ),
    );
  });
});

describe("role-assignment quota telemetry", () => {
  it("a run sends one event per grant subscription above 90 % of its limit, none at or below", async () => {
    const { trackReconciled } = await import("../../../../src/lib/telemetry/track");
    const emitted: Array<{ name: string; properties: Record<string, string>; measurements: Record<string, number> }> =
      [];
    const telemetry = { emit: (e: (typeof emitted)[number]) => emitted.push(e), flush: async () => undefined };
    const quota = (subscriptionId: string, count: number) => ({
      subscriptionId,
      count,
      limit: 4000,
      orphaned: 2,
      productStale: 1,
    });
    const now = new Date();
    await trackReconciled(telemetry, {
      request: {
        v: 1,
        kind: "reconcile",
        serviceId: "/s",
        runId: "r",
        dryRun: false,
        trigger: { kind: "timer", timer: "fullSweep" },
        requestedAt: now.toISOString(),
      },
      attempt: 1,
      status: "succeeded",
      startedAt: now,
      finishedAt: now,
      report: {
        serviceId: "/s",
        dryRun: false,
        startedAt: "",
        finishedAt: "",
        service: { serviceId: "/s", useIdentity: true },
        plan: [],
        outcomes: [],
        servers: [],
        armCalls: { reads: 0, writes: 0 },
        converged: true,
        warnings: [],
        roleAssignmentQuotas: [quota("a", 3601), quota("b", 3600)],
      },
    });
    const events = emitted.filter((e) => e.name === EVENT_NAMES.roleAssignmentQuota);
    expect(events).toEqual([
      {
        name: EVENT_NAMES.roleAssignmentQuota,
        properties: { serviceId: "/s", runId: "r", subscriptionId: "a" },
        measurements: { count: 3601, limit: 4000, orphaned: 2, productStale: 1 },
      },
    ]);
  });
});
