import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ServerState, ServerVerdict } from "../../../../src/lib/reconcile/report";
import { mergeServerRecord } from "../../../../src/lib/store/server";
import { SERVER_STATES, type ServerRecord } from "../../../../src/lib/store/rows";

const serviceId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";
const HOUR = 3_600_000;
const ctx = (now: Date, runId = "run") => ({ serviceId, runId, now, activationWindowMs: HOUR });
const P1 = "11111111-1111-1111-1111-111111111111";
const P2 = "22222222-2222-2222-2222-222222222222";

function verdict(state: ServerState, extra: Partial<ServerVerdict> = {}): ServerVerdict {
  return {
    serverId: "AAAAAAAA-0000-0000-0000-000000000001",
    resourceId: `${serviceId}/registeredServers/aaaaaaaa-0000-0000-0000-000000000001`,
    name: "srv01",
    principalId: P1,
    state,
    reason: `it is ${state}`,
    switchedThisRun: false,
    ...extra,
  };
}

describe("mergeServerRecord", () => {
  const t0 = new Date("2026-01-01T00:00:00Z");
  const t1 = new Date("2026-01-01T00:10:00Z");

  it("starts the activation window when this run switched the server", () => {
    const { record, activationDueAt } = mergeServerRecord(
      undefined,
      verdict("Switched", { switchedThisRun: true }),
      ctx(t0),
    );
    expect(record.state).toBe("Switched");
    expect(record.switchedAt).toBe(t0.toISOString());
    expect(activationDueAt).toBe(new Date(t0.getTime() + HOUR).toISOString());
    expect(record.switchAttempts).toBe(1);
    expect(record.serverId).toBe("aaaaaaaa-0000-0000-0000-000000000001");
  });

  it("keeps the original switch time and due time while the server waits", () => {
    const first = mergeServerRecord(undefined, verdict("Switched", { switchedThisRun: true }), ctx(t0)).record;
    const second = mergeServerRecord(first, verdict("Switched"), ctx(t1));
    expect(second.record.switchedAt).toBe(t0.toISOString());
    expect(second.activationDueAt).toBeUndefined();
    expect(second.record.lastCheckedAt).toBe(t1.toISOString());
  });

  it("keeps an overdue verdict the engine cannot see (it reports Switched)", () => {
    const overdue: ServerRecord = {
      ...mergeServerRecord(undefined, verdict("Switched", { switchedThisRun: true }), ctx(t0)).record,
      state: "ActivationOverdue",
      reason: "still Certificate",
      remedy: "check Arc",
      autoReruns: 1,
    };
    const next = mergeServerRecord(overdue, verdict("Switched"), ctx(t1)).record;
    expect(next.state).toBe("ActivationOverdue");
    expect(next.remedy).toBe("check Arc");
    expect(next.autoReruns).toBe(1);
  });

  it("starts over for a new principal (Arc identity reset)", () => {
    const active = mergeServerRecord(undefined, verdict("Active"), ctx(t0)).record;
    const next = mergeServerRecord(active, verdict("Eligible", { principalId: P2 }), ctx(t1)).record;
    expect(next.principalId).toBe(P2);
    expect(next.activeAt).toBeUndefined();
    expect(next.eligibleAt).toBe(t1.toISOString());
  });

  it("a server first seen already switched gets a window from now", () => {
    const { record, activationDueAt } = mergeServerRecord(undefined, verdict("Switched"), ctx(t0));
    expect(record.switchedAt).toBe(t0.toISOString());
    expect(activationDueAt).toBeDefined();
  });

  it("property: keys, principal casing and the run id always come from this run; due only when Switched", () => {
    const states = fc.constantFrom(...SERVER_STATES);
    fc.assert(
      fc.property(
        states,
        fc.boolean(),
        fc.option(states, { nil: undefined }),
        fc.constantFrom(P1, P2, P1.toUpperCase()),
        (state, switched, previousState, principal) => {
          const previous = previousState
            ? { ...mergeServerRecord(undefined, verdict(previousState), ctx(t0)).record, state: previousState }
            : undefined;
          const { record, activationDueAt } = mergeServerRecord(
            previous,
            verdict(state, { switchedThisRun: switched, principalId: principal }),
            ctx(t1, "run-2"),
          );
          expect(record.lastRunId).toBe("run-2");
          expect(record.principalId).toBe(principal.toLowerCase());
          if (activationDueAt) expect(record.state).toBe("Switched");
          if (switched) expect(activationDueAt).toBeDefined();
          if (record.state === "Switched") expect(record.activationDueAt).toBeDefined();
        },
      ),
    );
  });

  it("property: merging the same verdict again (no new switch) changes nothing but the check time and run id", () => {
    const states = fc.constantFrom(...SERVER_STATES);
    fc.assert(
      fc.property(states, states, fc.boolean(), (first, again, switchedFirst) => {
        const once = mergeServerRecord(
          undefined,
          verdict(first, { switchedThisRun: switchedFirst }),
          ctx(t0, "run-1"),
        ).record;
        const twice = mergeServerRecord(once, verdict(again), ctx(t1, "run-2")).record;
        const thrice = mergeServerRecord(twice, verdict(again), ctx(new Date(t1.getTime() + 1000), "run-3")).record;
        expect({ ...thrice, lastCheckedAt: "", lastRunId: "" }).toEqual({ ...twice, lastCheckedAt: "", lastRunId: "" });
      }),
    );
  });
});
