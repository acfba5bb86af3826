import { HttpRequest, type HttpResponseInit } from "@azure/functions";
import type { RunDetail } from "../../../../src/lib/http/schemas";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiHttp } from "../../../../src/functions/openApiHttp";
import { reconcileHttp } from "../../../../src/functions/reconcileHttp";
import { runHttp } from "../../../../src/functions/runHttp";
import { serversHttp } from "../../../../src/functions/serversHttp";
import { serviceHttp } from "../../../../src/functions/serviceHttp";
import { servicesHttp } from "../../../../src/functions/servicesHttp";
import { serverToEntity } from "../../../../src/lib/store/server";
import { acquireLease, releaseLease } from "../../../../src/lib/store/lease";
import { recordRunQueued, recordRunStarted } from "../../../../src/lib/store/run";
import { updateServiceRow } from "../../../../src/lib/store/service";
import { newRunId } from "../../../../src/lib/tables/run-id";
import { SSS_BRANCH, SSS_PROD, startAppStack, SUB1, type AppStack } from "../../support/app-harness";

/**
 * The HTTP API through the real function handlers with real HttpRequest
 * objects; every response is validated against the OpenAPI document the app
 * itself serves, with an independent JSON Schema validator.
 */
let stack: AppStack;
let validate: (path: string, method: string, response: HttpResponseInit) => void;
const BASE = "https://afs.example.net/api";

beforeAll(async () => {
  // Only sss-prod's resource group is managed, so sss-branch is out of scope.
  stack = await startAppStack({ settings: { MANAGED_SCOPES: `/subscriptions/${SUB1}/resourceGroups/rg-filesync` } });
  const docResponse = await openApiHttp(new HttpRequest({ method: "GET", url: `${BASE}/openapi.json` }));
  const doc = docResponse.jsonBody as {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> }>
    >;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc as object, "openapi.json");
  validate = (path, method, response) => {
    const documented = doc.paths[path]?.[method]?.responses[String(response.status)];
    expect(documented, `${method.toUpperCase()} ${path} ${response.status} is documented`).toBeDefined();
    const ref = documented?.content?.["application/json"]?.schema.$ref;
    // Every JSON body the API sends must have a documented schema to be checked against.
    expect(ref, `${method.toUpperCase()} ${path} ${response.status} documents its body`).toBeDefined();
    const check = ajv.compile({ $ref: `openapi.json${ref}` });
    const body = JSON.parse(JSON.stringify(response.jsonBody)) as unknown;
    expect(check(body), `${method.toUpperCase()} ${path} ${response.status}: ${ajv.errorsText(check.errors)}`).toBe(
      true,
    );
  };
});
afterAll(async () => stack?.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  reconcileHttp(
    new HttpRequest({
      method: "POST",
      url: `${BASE}/reconcile`,
      body: { string: body },
      headers: { "content-type": "application/json", ...headers },
    }),
    stack.context("reconcileHttp"),
  );
const get = (path: string, params: Record<string, string> = {}) =>
  new HttpRequest({ method: "GET", url: `${BASE}${path}`, params });

describe("HTTP API", () => {
  it("POST /reconcile answers 202 with a Location of the run, which the worker then fills in", async () => {
    const response = await post(JSON.stringify({ serviceId: SSS_PROD, dryRun: true }));
    expect(response.status).toBe(202);
    validate("/reconcile", "post", response);
    const location = (response.headers as Record<string, string>).location ?? "";
    const runId = location.split("/").pop() ?? "";
    // A path on the origin the client called, never an absolute URL built from its Host header.
    expect(location).toBe(`/api/runs/${runId}`);
    expect((response.jsonBody as { runs: { statusUrl: string }[] }).runs[0]?.statusUrl).toBe(location);

    const queued = await runHttp(get(`/runs/${runId}`, { runId }));
    expect(queued.status).toBe(200);
    validate("/runs/{runId}", "get", queued);
    expect(queued.jsonBody).toMatchObject({
      status: "queued",
      trigger: { kind: "http", caller: "function key holder" },
    });

    await stack.drain();
    const done = await runHttp(get(`/runs/${runId}`, { runId }));
    validate("/runs/{runId}", "get", done);
    expect(done.jsonBody).toMatchObject({ status: "dryRun", dryRun: true });
    expect((done.jsonBody as { plan: unknown[] }).plan.length).toBeGreaterThan(0);
  });

  it("with function keys (no App Service Authentication) a key holder's principal headers and X-Forwarded-For are recorded apart, as unverified claims", async () => {
    const response = await post(JSON.stringify({ serviceId: SSS_PROD, dryRun: true }), {
      "x-ms-client-principal-name": "ceo@contoso.com",
      "x-ms-client-principal-id": "0f0f0f0f-0000-4000-8000-000000000001",
      "x-forwarded-for": "10.9.9.9, 203.0.113.7:50123",
    });
    expect(response.status).toBe(202);
    const runId = ((response.headers as Record<string, string>).location ?? "").split("/").pop() ?? "";
    const run = await runHttp(get(`/runs/${runId}`, { runId }));
    validate("/runs/{runId}", "get", run);
    const trigger = (run.jsonBody as RunDetail).trigger;
    expect(trigger).toMatchObject({
      kind: "http",
      caller: "function key holder",
      callerVerifiedBy: "functionKey",
      claimedCaller: "ceo@contoso.com",
      clientIp: "203.0.113.7",
      forwardedFor: "10.9.9.9",
    });
    await stack.drain();
  });

  it("POST /reconcile of a service ARM does not have answers the documented 404 with ARM's code", async () => {
    const response = await post(JSON.stringify({ serviceId: SSS_PROD.replace(/sss-prod$/, "sss-gone") }));
    expect(response.status).toBe(404);
    validate("/reconcile", "post", response);
    expect(response.jsonBody).toMatchObject({ error: { code: "ResourceNotFound" } });
  });

  it("GET /runs/{id} of a run that wrote shows its attempts and the journal of its ARM writes, each matching a write ARM applied by client request id", async () => {
    const response = await post(JSON.stringify({ serviceId: SSS_PROD }));
    const runId = ((response.headers as Record<string, string>).location ?? "").split("/").pop() ?? "";
    await stack.drain();
    const done = await runHttp(get(`/runs/${runId}`, { runId }));
    validate("/runs/{runId}", "get", done);
    const body = done.jsonBody as RunDetail;
    expect(body.attempts.map((a) => [a.attempt, a.status])).toEqual([[1, body.status]]);
    expect(body.writes.length).toBeGreaterThan(0);
    const applied = new Map((await stack.emulator.admin.writes()).map((w) => [w.clientRequestId, w]));
    for (const w of body.writes) {
      expect(w).toMatchObject({ runId, attempt: 1, status: "applied" });
      expect(applied.get(w.clientRequestId)?.requestId).toBe(w.armRequestId);
    }
    expect(body.writes.some((w) => w.kind === "grantRole" && w.principalId && w.scope && w.roleDefinitionGuid)).toBe(
      true,
    );
  });

  it("POST /reconcile {all:true} queues every service in scope", async () => {
    const response = await post(JSON.stringify({ all: true }));
    expect(response.status).toBe(202);
    validate("/reconcile", "post", response);
    const runs = (response.jsonBody as { runs: Array<{ serviceId: string }> }).runs;
    expect(runs.map((r) => r.serviceId.toLowerCase())).toEqual([SSS_PROD.toLowerCase()]);
    await stack.drain();
  });

  it.each([
    ["not json", 400, "InvalidJson"],
    ["[]", 400, "InvalidRequest"],
    [JSON.stringify({}), 400, "InvalidRequest"],
    [JSON.stringify({ serviceId: SSS_PROD, all: true }), 400, "InvalidRequest"],
    [JSON.stringify({ serviceId: SSS_PROD, dryRun: "yes" }), 400, "InvalidRequest"],
    [JSON.stringify({ serviceId: SSS_PROD, extra: 1 }), 400, "InvalidRequest"],
    [JSON.stringify({ serviceId: `${SSS_PROD}/registeredServers/x` }), 400, "InvalidServiceId"],
    [JSON.stringify({ serviceId: "/subscriptions/../../x" }), 400, "InvalidServiceId"],
    [JSON.stringify({ serviceId: SSS_BRANCH }), 403, "OutsideScope"],
    ["", 400, "InvalidJson"],
    [JSON.stringify({ serviceId: SSS_PROD, pad: "x".repeat(20_000) }), 413, "BodyTooLarge"],
    [JSON.stringify({ serviceId: SSS_PROD, pad: "😀".repeat(4_500) }), 413, "BodyTooLarge"], // 9,000 characters, 18 KB
    ["null", 400, "InvalidRequest"],
    [`serviceId=${encodeURIComponent(SSS_PROD)}`, 400, "InvalidJson"], // a form post
    [JSON.stringify({ serviceId: encodeURIComponent(SSS_PROD) }), 400, "InvalidServiceId"],
    [JSON.stringify({ serviceId: `${SSS_PROD}%2FregisteredServers%2Fx` }), 400, "InvalidServiceId"],
  ])("POST /reconcile %s → %i %s", async (body, status, code) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.jsonBody).toMatchObject({ error: { code } });
    validate("/reconcile", "post", response);
  });

  it("a service id with odd casing or a trailing slash names the same service, in POST and GET", async () => {
    const odd = `${SSS_PROD.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")}/`;
    // As Windows PowerShell writes a JSON file: with a byte order mark.
    const response = await post(`\uFEFF${JSON.stringify({ serviceId: odd })}`, { "content-type": "text/plain" });
    expect(response.status).toBe(202);
    validate("/reconcile", "post", response);
    const runId = (response.jsonBody as { runs: Array<{ runId: string }> }).runs[0]?.runId ?? "";
    await stack.drain();
    // The run id is case-insensitive too.
    const run = await runHttp(get(`/runs/${runId.toUpperCase()}`, { runId: runId.toUpperCase() }));
    expect(run.status).toBe(200);
    expect(run.jsonBody).toMatchObject({ runId, status: "succeeded" });
    const detail = await serviceHttp(get(`/service?id=${encodeURIComponent(odd.toLowerCase())}`));
    expect(detail.status).toBe(200);
    validate("/service", "get", detail);
    expect((detail.jsonBody as { recentRuns: Array<{ runId: string }> }).recentRuns.map((r) => r.runId)).toContain(
      runId,
    );
  });

  it("GET /services, /service and /servers report what the runs recorded", async () => {
    await post(JSON.stringify({ serviceId: SSS_PROD }));
    await stack.drain();
    const services = await servicesHttp();
    validate("/services", "get", services);
    const list = services.jsonBody as {
      services: Array<{ serviceId: string; counts: Record<string, number> }>;
      totals: Record<string, number>;
    };
    expect(list.services.map((s) => s.serviceId.toLowerCase())).toEqual([SSS_PROD.toLowerCase()]);
    expect(Object.values(list.totals).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const detail = await serviceHttp(get(`/service?id=${encodeURIComponent(SSS_PROD)}`));
    expect(detail.status).toBe(200);
    validate("/service", "get", detail);
    const body = detail.jsonBody as { servers: Array<{ name: string; state: string }>; recentRuns: unknown[] };
    expect(body.servers.length).toBeGreaterThan(3);
    expect(body.recentRuns.length).toBeGreaterThan(0);
    const fs01 = body.servers.find((s) => s.name === "fs01.contoso.local");
    expect(["Switched", "Active"]).toContain(fs01?.state);
    const state = fs01?.state ?? "";

    // State names are matched case-insensitively.
    const inState = await serversHttp(get(`/servers?state=${state.toLowerCase()}`));
    validate("/servers", "get", inState);
    expect((inState.jsonBody as { servers: Array<{ name: string }> }).servers.map((s) => s.name)).toContain(
      "fs01.contoso.local",
    );
    const filtered = await serviceHttp(get(`/service?id=${encodeURIComponent(SSS_PROD)}&state=${state}`));
    const filteredServers = (filtered.jsonBody as { servers: Array<{ state: string }> }).servers;
    expect(filteredServers.length).toBeGreaterThan(0);
    expect(filteredServers.every((s) => s.state === state)).toBe(true);
  });

  it.each([
    [`/service`, 400, "MissingServiceId"],
    [`/service?id=${encodeURIComponent("/subscriptions/x")}`, 400, "InvalidServiceId"],
    [`/service?id=${encodeURIComponent(SSS_BRANCH)}`, 403, "OutsideScope"],
    [`/service?id=${encodeURIComponent(SSS_PROD.replace("sss-prod", "sss-none"))}`, 404, "NotFound"],
    [`/service?id=${encodeURIComponent(SSS_PROD)}&state=Sleeping`, 400, "InvalidState"],
  ])("GET %s → %i %s", async (path, status, code) => {
    const response = await serviceHttp(get(path));
    expect(response.status).toBe(status);
    expect(response.jsonBody).toMatchObject({ error: { code } });
    validate("/service", "get", response);
  });

  it("GET /servers without a valid state and /runs with a bad or unknown id are refused clearly", async () => {
    for (const path of ["/servers", "/servers?state=nope"]) {
      const response = await serversHttp(get(path));
      expect(response.status).toBe(400);
      validate("/servers", "get", response);
    }
    const bad = await runHttp(get("/runs/..%2F..%2Fx", { runId: "../../x" }));
    expect(bad.status).toBe(400);
    validate("/runs/{runId}", "get", bad);
    const unknown = "0".repeat(32) + "-1234567890123-abcdef01";
    const missing = await runHttp(get(`/runs/${unknown}`, { runId: unknown }));
    expect(missing.status).toBe(404);
    validate("/runs/{runId}", "get", missing);
  });
  it("a run left running by a worker that died is shown as abandoned once its lease has expired, not running forever", async () => {
    await post(JSON.stringify({ serviceId: SSS_PROD }));
    await stack.drain(); // the service has a status row
    // What a worker that crashed between "running" and "finished" leaves: the harness's LEASE_DURATION is 30 s.
    const started = (ageMs: number) => {
      const startedAt = new Date(Date.now() - ageMs);
      const runId = newRunId(SSS_PROD, startedAt);
      const trigger = { kind: "http" as const, caller: "test" };
      return recordRunStarted(stack.app.tables.runs, runId, {
        serviceId: SSS_PROD,
        dryRun: false,
        trigger,
        queuedAt: startedAt.toISOString(),
        startedAt,
        attempt: 1,
        worker: "dead-worker",
        coalescedTriggers: [],
      }).then(() => runId);
    };
    const crashed = await started(31_000);
    const live = await started(1_000);
    // A slow run that renews its lease is alive however long ago it started.
    const slow = await started(45_000);
    const lease = await acquireLease(stack.app.tables.leases, SSS_PROD, `some-worker/${slow}`, 30_000);
    expect(lease.acquired).toBe(true);
    expect((await runHttp(get(`/runs/${slow}`, { runId: slow }))).jsonBody).toMatchObject({ status: "running" });
    expect(
      (
        (await serviceHttp(get(`/service?id=${encodeURIComponent(SSS_PROD)}`))).jsonBody as {
          recentRuns: Array<{ runId: string; status: string }>;
        }
      ).recentRuns.find((r) => r.runId === slow)?.status,
    ).toBe("running");
    if (lease.acquired) await releaseLease(stack.app.tables.leases, lease.lease);
    expect((await runHttp(get(`/runs/${slow}`, { runId: slow }))).jsonBody).toMatchObject({ status: "abandoned" });

    const abandoned = await runHttp(get(`/runs/${crashed}`, { runId: crashed }));
    validate("/runs/{runId}", "get", abandoned);
    expect(abandoned.jsonBody).toMatchObject({ status: "abandoned", worker: "dead-worker" });
    expect((abandoned.jsonBody as { error: string }).error).toMatch(/stopped without finishing.*lease expired/);
    const running = await runHttp(get(`/runs/${live}`, { runId: live }));
    expect(running.jsonBody).toMatchObject({ status: "running" });
    expect((running.jsonBody as { error?: string }).error).toBeUndefined();

    const detail = await serviceHttp(get(`/service?id=${encodeURIComponent(SSS_PROD)}`));
    validate("/service", "get", detail);
    const recent = (detail.jsonBody as { recentRuns: Array<{ runId: string; status: string }> }).recentRuns;
    expect(recent.find((r) => r.runId === crashed)?.status).toBe("abandoned");
    expect(recent.find((r) => r.runId === live)?.status).toBe("running");
  });
  it("status recorded for a service outside MANAGED_SCOPES (before the scopes were narrowed) is not served", async () => {
    const now = new Date();
    await updateServiceRow(stack.app.tables.services, SSS_BRANCH, (s) => ({
      ...s,
      counts: { ...s.counts, Active: 1 },
    }));
    const serverId = "bbbbbbbb-0000-4000-8000-000000000001";
    await stack.app.tables.servers.upsertEntity(
      serverToEntity({
        serviceId: SSS_BRANCH,
        serverId,
        resourceId: `${SSS_BRANCH}/registeredServers/${serverId}`,
        name: "outside",
        state: "Active",
        reason: "",
        lastCheckedAt: now.toISOString(),
        switchAttempts: 1,
        autoReruns: 0,
      }),
    );
    const runId = newRunId(SSS_BRANCH, now);
    await recordRunQueued(stack.app.tables.runs, {
      runId,
      serviceId: SSS_BRANCH,
      dryRun: false,
      trigger: { kind: "http", caller: "test" },
      queuedAt: now,
    });

    const services = await servicesHttp();
    expect(
      (services.jsonBody as { services: Array<{ serviceId: string }> }).services.map((s) => s.serviceId),
    ).not.toContain(SSS_BRANCH);
    expect((services.jsonBody as { totals: { Active: number } }).totals.Active).toBe(
      (services.jsonBody as { services: Array<{ counts: { Active: number } }> }).services.reduce(
        (n, s) => n + s.counts.Active,
        0,
      ),
    );
    const active = await serversHttp(get("/servers?state=Active"));
    expect((active.jsonBody as { servers: Array<{ name: string }> }).servers.map((s) => s.name)).not.toContain(
      "outside",
    );
    const run = await runHttp(get(`/runs/${runId}`, { runId }));
    expect(run.status).toBe(403);
    expect(run.jsonBody).toMatchObject({ error: { code: "OutsideScope" } });
    validate("/runs/{runId}", "get", run);
  });
});
