import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE1, plainRequest, startHarness, type Harness } from "../../support/emulator-harness";

let h: Harness;
beforeAll(async () => {
  // A small write burst so the bucket empties in a few requests (ARM's is 200).
  h = await startHarness({ throttle: { writeBurst: 20, writePerSecond: 1 } });
});
afterAll(async () => h.emulator.close());

describe("429 with Retry-After, retried by the SDK's own policy", () => {
  it("an injected 429 on one operation is retried after Retry-After and then succeeds", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "StorageSyncServices_Get" },
      effect: { kind: "status", status: 429, retryAfterSeconds: 1 },
      times: 1,
    });
    await h.emulator.admin.resetCalls();
    const svc = await h.storageSync().storageSyncServices.get("rg-filesync", "sss-prod");
    expect(svc.id).toBe(SERVICE1);
    expect((await h.emulator.admin.calls()).byOperation.StorageSyncServices_Get?.reads).toBe(2);
    const log = (await h.emulator.admin.requests()).filter((e) => e.operationId === "StorageSyncServices_Get");
    expect(log.map((e) => e.status)).toEqual([429, 200]);
    // The SDK honoured Retry-After (1 s) rather than its own shorter back-off: the retry arrived at least ~1 s later.
    expect(Date.parse(log[1]!.time) - Date.parse(log[0]!.time)).toBeGreaterThanOrEqual(950);
  });

  it("500/503 faults are retried by the SDK too; a dropped connection is retried as well", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "SyncGroups_ListByStorageSyncService" },
      effect: { kind: "status", status: 503 },
      times: 1,
    });
    const groups = [];
    for await (const g of h.storageSync().syncGroups.listByStorageSyncService("rg-filesync", "sss-prod"))
      groups.push(g.name);
    expect(groups).toHaveLength(3);
    await h.emulator.admin.addFault({
      match: { pathContains: "/syncGroups/sg-hr" },
      effect: { kind: "drop" },
      times: 1,
    });
    await expect(h.storageSync().syncGroups.get("rg-filesync", "sss-prod", "sg-hr")).resolves.toMatchObject({
      name: "sg-hr",
    });
    await h.emulator.admin.clearFaults();
  });

  it("every answer carries x-ms-ratelimit-remaining-subscription-reads, counting down", async () => {
    const a = await plainRequest(h, "GET", `${SERVICE1}?api-version=2022-09-01`);
    const b = await plainRequest(h, "GET", `${SERVICE1}?api-version=2022-09-01`);
    const remainingA = Number(a.headers["x-ms-ratelimit-remaining-subscription-reads"]);
    const remainingB = Number(b.headers["x-ms-ratelimit-remaining-subscription-reads"]);
    expect(remainingA).toBeGreaterThan(0);
    expect(remainingB).toBeLessThanOrEqual(remainingA);
  });

  it("ARM's token bucket answers SubscriptionRequestsThrottled with Retry-After once the write burst is spent", async () => {
    let throttled: Awaited<ReturnType<typeof plainRequest>> | undefined;
    for (let i = 0; i < 40 && !throttled; i++) {
      const r = await plainRequest(h, "PATCH", `${SERVICE1}?api-version=2022-09-01`, { tags: { i: String(i) } });
      if (r.status === 429) throttled = r;
    }
    expect(throttled?.body).toMatchObject({ error: { code: "SubscriptionRequestsThrottled" } });
    expect(Number(throttled?.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(throttled?.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("0");
  });
});
