import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppApiClient, RunStatus, ServiceDetail } from "../../dev/host/app-api-client";
import type { LocalStack } from "../../dev/host/local-stack";
import { E2E_TEST_TIMEOUT_MS, eventually, startE2EStack } from "./support/e2e-stack";
import { SSS_BRANCH, SSS_PROD } from "./support/seeds";

// The app's HTTP API through the local host (function keys), and the poison path through real queues.
describe("HTTP API and poison path, end to end", () => {
  let stack: LocalStack;
  let api: AppApiClient;

  beforeAll(async () => {
    ({ stack, api } = await startE2EStack("http"));
  });

  afterAll(async () => {
    await stack?.stop();
  }, E2E_TEST_TIMEOUT_MS);

  it(
    "refuses a missing or wrong function key on every route",
    async () => {
      for (const path of [
        "/services",
        `/service?id=${encodeURIComponent(SSS_PROD)}`,
        "/servers?state=Active",
        "/openapi.json",
      ]) {
        expect((await api.get(path, null)).status, `GET ${path} without key`).toBe(401);
        expect((await api.get(path, "not-the-key")).status, `GET ${path} with a wrong key`).toBe(401);
      }
      expect((await api.post("/reconcile", { serviceId: SSS_PROD }, "not-the-key")).status).toBe(401);
      expect((await api.post("/reconcile", { serviceId: SSS_PROD }, null)).status).toBe(401);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "a manual re-run answers 202 with a Location to follow, and the run completes",
    async () => {
      const accepted = await api.post<{ runs: { runId: string; statusUrl: string }[] }>("/reconcile", {
        serviceId: SSS_PROD,
      });
      expect(accepted.status).toBe(202);
      const location = accepted.headers.get("location") ?? "";
      expect(location).toContain(`/api/runs/${accepted.body.runs[0]?.runId}`);

      const runPath = location.slice(location.indexOf("/api") + "/api".length);
      const run = await eventually("the re-run to finish", async () => {
        const r = await api.get<RunStatus>(runPath);
        return r.status === 200 && ["succeeded", "completedWithFailures"].includes(r.body.status) ? r.body : undefined;
      });
      expect(run.serviceId).toBe(SSS_PROD);
      expect(run.outcomes?.length).toBeGreaterThan(0);

      const services = await api.get<{ services: { serviceId: string }[]; totals: Record<string, number> }>(
        "/services",
      );
      expect(services.status).toBe(200);
      expect(services.body.services.map((s) => s.serviceId)).toContain(SSS_PROD);
      // Status rows are written as the run records its outcome; read them once they are there.
      const detail = await eventually("the service's server rows", async () => {
        const d = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(SSS_PROD)}`);
        return d.status === 200 && d.body.servers.length > 0 ? d.body : undefined;
      });
      expect(detail.servers.length).toBeGreaterThan(0);
      // A server's state moves on between two reads (Switched becomes Active once its agent picks the switch up),
      // so each probe takes the state from a fresh read of the service and lists that state right after.
      const byState = await eventually("servers listed by the state one of them is in", async () => {
        const d = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(SSS_PROD)}`);
        const state = d.body.servers[0]?.state ?? "";
        const r = await api.get<{ servers: { state: string }[] }>(`/servers?state=${state}`);
        return r.status === 200 && r.body.servers.length > 0 ? { state, servers: r.body.servers } : undefined;
      });
      expect(byState.servers.every((s) => s.state === byState.state)).toBe(true);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "the key also works as ?code=, and bad input gets a clear 400",
    async () => {
      const response = await fetch(`${stack.apiUrl}/services?code=${encodeURIComponent(stack.functionKey)}`);
      expect(response.status).toBe(200);
      const notJson = await api.post<{ error?: { code?: string } }>("/reconcile", "{not json");
      expect(notJson.status).toBe(400);
      const outside = await api.post("/reconcile", {
        serviceId:
          "/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/x/providers/Microsoft.StorageSync/storageSyncServices/y",
      });
      expect(outside.status).toBeGreaterThanOrEqual(400);
      expect(outside.status).toBeLessThan(500);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "a message that keeps failing ends in the poison queue and in the service's status",
    async () => {
      // Every read of the service is throttled (Retry-After 0, so the SDK's own retries are quick); the worker's
      // attempts all fail.
      await stack.emulator.admin.addFault({
        match: { pathContains: "/storageSyncServices/sss-branch", method: "GET" },
        effect: { kind: "status", status: 429, retryAfterSeconds: 0 },
      });
      try {
        const accepted = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_BRANCH });
        expect(accepted.status).toBe(202);
        // The host moves the message to <queue>-poison after the last attempt; reconcilePoison then takes it and
        // finds the run already recorded poisoned by that attempt.
        await eventually(
          "reconcilePoison to have taken the message from the poison queue",
          async () =>
            stack.host.logs.some((e) => String(e.message).startsWith("Executed 'Functions.reconcilePoison' (Succeeded"))
              ? true
              : undefined,
          90_000,
        );
        const service = await eventually("the service's status to say it was poisoned", async () => {
          const detail = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(SSS_BRANCH)}`);
          return detail.status === 200 && detail.body.service.poisonedAt ? detail.body.service : undefined;
        });
        expect(service.poisonReason).toMatch(/5 attempts/);
        expect(stack.host.logs.some((e) => String(e.message).includes("-poison after 5 dequeue(s)"))).toBe(true);
      } finally {
        await stack.emulator.admin.clearFaults();
      }
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
