import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FaultInjector, parseFaultRule, type FaultRequest } from "../../../../../dev/emulator/faults/fault-injector";
import { faultResponse } from "../../../../../dev/emulator/faults/fault-response";

const getServer: FaultRequest = {
  operationId: "RegisteredServers_Get",
  method: "GET",
  path: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/a/registeredServers/b",
  isWrite: false,
};
const putAssignment: FaultRequest = {
  operationId: "RoleAssignments_Create",
  method: "PUT",
  path: "//subscriptions/s/providers/Microsoft.Authorization/roleAssignments/x",
  isWrite: true,
};

describe("FaultInjector", () => {
  it("matches by operationId, method, path substring and isWrite; all given criteria must hold", () => {
    const faults = new FaultInjector();
    faults.add({
      match: { operationId: "roleassignments_create" },
      effect: { kind: "status", status: 429, retryAfterSeconds: 3 },
    });
    faults.add({ match: { method: "get", pathContains: "REGISTEREDSERVERS" }, effect: { kind: "latency", ms: 50 } });
    faults.add({ match: { isWrite: true, method: "DELETE" }, effect: { kind: "drop" } });
    expect(faults.decide(putAssignment)).toEqual({ kind: "status", status: 429, retryAfterSeconds: 3 });
    expect(faults.decide(getServer)).toEqual({ kind: "latency", ms: 50 });
    expect(faults.decide({ ...putAssignment, operationId: "X", method: "DELETE" })).toEqual({ kind: "drop" });
    expect(faults.decide({ ...getServer, path: "/other" })).toBeUndefined();
  });

  it("applies the first matching rule in insertion order, and times runs it out", () => {
    const faults = new FaultInjector();
    const first = faults.add({ match: { isWrite: true }, effect: { kind: "status", status: 503 }, times: 2 });
    faults.add({ match: {}, effect: { kind: "status", status: 500 } });
    expect(faults.decide(putAssignment)).toMatchObject({ status: 503 });
    expect(faults.list().find((r) => r.id === first)).toMatchObject({ remaining: 1, applied: 1 });
    expect(faults.decide(putAssignment)).toMatchObject({ status: 503 });
    expect(faults.list().map((r) => r.id)).not.toContain(first);
    expect(faults.decide(putAssignment)).toMatchObject({ status: 500 });
    expect(faults.decide(getServer)).toMatchObject({ status: 500 });
  });

  it("removes, replaces by id, and clears", () => {
    const faults = new FaultInjector();
    const id = faults.add({ id: "flaky", match: {}, effect: { kind: "drop" } });
    expect(id).toBe("flaky");
    faults.add({ id: "flaky", match: {}, effect: { kind: "latency", ms: 1 } });
    expect(faults.list()).toHaveLength(1);
    expect(faults.decide(getServer)).toEqual({ kind: "latency", ms: 1 });
    expect(faults.remove("flaky")).toBe(true);
    expect(faults.remove("flaky")).toBe(false);
    faults.add({ match: {}, effect: { kind: "drop" } });
    faults.clear();
    expect(faults.decide(getServer)).toBeUndefined();
  });

  it("probability uses the injected random source, and a lost draw consumes nothing", () => {
    const draws = [0.9, 0.1];
    const faults = new FaultInjector({ random: () => draws.shift() ?? 0 });
    faults.add({ id: "half", match: {}, effect: { kind: "drop" }, probability: 0.5, times: 1 });
    expect(faults.decide(getServer)).toBeUndefined();
    expect(faults.list()[0]).toMatchObject({ remaining: 1, applied: 0 });
    expect(faults.decide(getServer)).toEqual({ kind: "drop" });
    expect(faults.list()).toEqual([]);
  });

  it("refuses malformed rules with a message naming the field", () => {
    const faults = new FaultInjector();
    expect(() => faults.add({ match: {}, effect: { kind: "status", status: 200 } })).toThrow(/effect\.status/);
    expect(() => parseFaultRule({ match: {}, effect: { kind: "explode" } })).toThrow(/effect/);
    expect(() => parseFaultRule({ match: {}, effect: { kind: "drop" }, times: 0 })).toThrow(/times/);
    expect(() => parseFaultRule({ effect: { kind: "drop" } })).toThrow(/match/);
  });

  it("property: a rule with times = n applies to exactly min(n, matching requests) requests", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.boolean(), { maxLength: 60 }), (times, writes) => {
        const faults = new FaultInjector();
        faults.add({ match: { isWrite: true }, effect: { kind: "status", status: 500 }, times });
        let applied = 0;
        for (const isWrite of writes) if (faults.decide({ ...getServer, isWrite }) !== undefined) applied++;
        const matching = writes.filter(Boolean).length;
        expect(applied).toBe(Math.min(times, matching));
        expect(faults.list().length).toBe(matching >= times ? 0 : 1);
      }),
    );
  });

  it("property: with several rules, total applications never exceed the sum of their times", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 40 }),
        (timesList, requests) => {
          const faults = new FaultInjector();
          for (const times of timesList) faults.add({ match: {}, effect: { kind: "drop" }, times });
          let applied = 0;
          for (let i = 0; i < requests; i++) if (faults.decide(getServer)) applied++;
          const total = timesList.reduce((a, b) => a + b, 0);
          expect(applied).toBe(Math.min(total, requests));
        },
      ),
    );
  });
});

describe("faultResponse", () => {
  it("shapes ARM error bodies with Retry-After for 429", () => {
    expect(faultResponse({ kind: "status", status: 429 })).toEqual({
      status: 429,
      headers: { "content-type": "application/json; charset=utf-8", "retry-after": "1" },
      body: { error: { code: "TooManyRequests", message: "Injected fault: HTTP 429 TooManyRequests." } },
    });
    const custom = faultResponse({ kind: "status", status: 503, code: "ServerBusy", retryAfterSeconds: 7 });
    expect(custom.headers["retry-after"]).toBe("7");
    expect(custom.body.error.code).toBe("ServerBusy");
    expect(faultResponse({ kind: "status", status: 500 }).headers["retry-after"]).toBeUndefined();
  });
});
