import { request } from "node:https";
import { rootCertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorAdminError } from "../../../../dev/emulator/index";
import type { ActiveFaultRule } from "../../../../dev/emulator/faults/fault-injector";
import { plainRequest, SERVICE1, SERVICE2, startHarness, type Harness } from "../../support/emulator-harness";

/**
 * Fault rules and throttling as the running emulator applies them: rules
 * posted through the admin API match by operation, method, path and
 * read/write, run out after `times`, and are refused when malformed; the
 * token buckets are per subscription and per kind and refill on the
 * emulator's clock.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ lroMode: "sync", throttle: { writeBurst: 3, writePerSecond: 0.05 } });
});
afterAll(async () => h?.emulator.close());

const API = "api-version=2022-09-01";
const get = (id: string) => plainRequest(h, "GET", `${id}?${API}`);
const patch = (id: string, tag: string) => plainRequest(h, "PATCH", `${id}?${API}`, { tags: { t: tag } });

function listFaults(): Promise<ActiveFaultRule[]> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.emulator.adminUrl}/faults`, { ca: [...rootCertificates, h.emulator.caCertPem] }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as ActiveFaultRule[]));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("fault rules in the running emulator", () => {
  it("a write-only rule with times: 2 fails exactly two writes and leaves reads alone", async () => {
    await h.emulator.admin.clearFaults();
    const id = await h.emulator.admin.addFault({
      match: { isWrite: true, pathContains: "/storageSyncServices/sss-prod" },
      effect: { kind: "status", status: 503, code: "ServerBusy" },
      times: 2,
    });
    const first = await patch(SERVICE1, "a");
    expect(first).toMatchObject({ status: 503, body: { error: { code: "ServerBusy" } } });
    expect((await get(SERVICE1)).status).toBe(200);
    expect((await listFaults()).find((r) => r.id === id)).toMatchObject({ remaining: 1, applied: 1 });
    expect((await patch(SERVICE1, "b")).status).toBe(503);
    expect((await listFaults()).map((r) => r.id)).not.toContain(id);
    expect((await patch(SERVICE1, "c")).status).toBe(200);
  });

  it("matches by operationId and method only where both hold", async () => {
    await h.emulator.admin.clearFaults();
    await h.emulator.admin.addFault({
      match: { operationId: "StorageSyncServices_Get", method: "GET" },
      effect: { kind: "status", status: 429, retryAfterSeconds: 4 },
    });
    const throttled = await get(SERVICE1);
    expect(throttled.status).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("4");
    expect((await get(`${SERVICE1}/syncGroups`)).status).toBe(200);
    expect((await get(SERVICE2)).status).toBe(429);
    await h.emulator.admin.clearFaults();
    expect((await get(SERVICE1)).status).toBe(200);
  });

  it("latency and drop rules are applied and counted", async () => {
    await h.emulator.admin.clearFaults();
    const slow = await h.emulator.admin.addFault({
      match: { operationId: "SyncGroups_ListByStorageSyncService" },
      effect: { kind: "latency", ms: 20 },
      times: 1,
    });
    expect((await get(`${SERVICE1}/syncGroups`)).status).toBe(200);
    expect((await listFaults()).map((r) => r.id)).not.toContain(slow);
    await h.emulator.admin.addFault({
      match: { pathContains: "/syncGroups/sg-hr" },
      effect: { kind: "drop" },
      times: 1,
    });
    await expect(get(`${SERVICE1}/syncGroups/sg-hr`)).rejects.toThrow();
    expect((await get(`${SERVICE1}/syncGroups/sg-hr`)).status).toBe(200);
  });

  it("refuses a malformed rule with a 400 that names the field", async () => {
    const attempt = h.emulator.admin.addFault({ match: {}, effect: { kind: "status", status: 200 } });
    await expect(attempt).rejects.toBeInstanceOf(EmulatorAdminError);
    await expect(attempt).rejects.toMatchObject({
      status: 400,
      code: "InvalidFaultRule",
      message: expect.stringContaining("effect.status"),
    });
  });
});

describe("ARM throttling in the running emulator", () => {
  it("buckets are per subscription and per kind, and refill on the emulator clock", async () => {
    await h.emulator.admin.clearFaults(); // also resets the buckets
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await patch(SERVICE1, `w${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // Reads of the same subscription and writes of another one are not affected.
    const read = await get(SERVICE1);
    expect(read.status).toBe(200);
    expect(Number(read.headers["x-ms-ratelimit-remaining-subscription-reads"])).toBeGreaterThan(0);
    expect((await patch(SERVICE2, "other")).status).toBe(200);
    // One write token comes back every 20 s of emulator time.
    await h.emulator.admin.advanceTime(20_000);
    const refilled = await patch(SERVICE1, "after");
    expect(refilled.status).toBe(200);
    expect(refilled.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("0");
    expect((await patch(SERVICE1, "again")).status).toBe(429);
  });
});
