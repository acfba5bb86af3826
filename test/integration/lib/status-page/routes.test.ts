import { HttpRequest } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusPageHttp } from "../../../../src/functions/statusPageHttp";
import { silentLog } from "../../../../src/lib/ports/log";
import { toApiRequest } from "../../../../src/lib/http/functions-adapter";
import { serverToEntity } from "../../../../src/lib/store/server";
import { getRun } from "../../../../src/lib/store/run";
import { updateServiceRow } from "../../../../src/lib/store/service";
import { servePage } from "../../../../src/lib/status-page/routes";
import { SSS_BRANCH, SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

/**
 * The status page's routes over real tables and queue (Azurite) and the
 * emulator: the form POST goes through the reconcile API's own handler, the
 * run records the signed-in caller, and cross-site posts queue nothing.
 */
let stack: AppStack;
const ORIGIN = "https://afs.example.net";
const HOSTILE = `<script>alert("x")</script>`;

beforeAll(async () => {
  stack = await startAppStack();
});
afterAll(async () => stack?.close());

const request = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  new HttpRequest({
    method,
    url: `${ORIGIN}/api/page${path}`,
    headers: { host: new URL(ORIGIN).host, ...headers },
    params: { path: path.split("?")[0]?.replace(/^\//, "") ?? "" },
    body: body === undefined ? undefined : { string: body },
  });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const entraPage = (req: HttpRequest) => servePage(stack.app, toApiRequest(req), "entra", silentLog);
const queued = async () => (await stack.queue.getProperties()).approximateMessagesCount ?? 0;

describe("status page routes", () => {
  it("Entra sign-in: the re-run form queues a run whose audit names the signed-in user, and answers 303 to that run's page", async () => {
    const alice = {
      "x-ms-client-principal-name": "alice@contoso.com",
      "x-ms-client-principal-id": "0f0f0f0f-0000-4000-8000-000000000001",
    };
    const posted = await entraPage(
      request(
        "POST",
        "/reconcile",
        { ...alice, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
        form({ serviceId: SSS_PROD }),
      ),
    );
    expect(posted.status, posted.body).toBe(303);
    const location = posted.headers.location ?? "";
    expect(location).toMatch(/^\/api\/page\/runs\/[0-9a-f]{32}-\d{13}-[0-9a-f]{8}\?queued=new$/);
    const runId = location.split("/").pop()?.split("?")[0] ?? "";
    expect((await getRun(stack.app.tables.runs, runId))?.trigger).toMatchObject({
      kind: "http",
      caller: "alice@contoso.com",
    });

    const stats = await stack.drain();
    expect(stats.errors).toEqual([]);
    const page = await entraPage(request("GET", `/runs/${runId}`, alice));
    expect(page.status).toBe(200);
    expect(page.body).toContain("Signed in as <strong>alice@contoso.com</strong>");
    expect(page.body).toContain("re-run by alice@contoso.com");
    expect(page.body).toContain('<span class="badge run-succeeded">succeeded</span>');
    expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
  });

  it("with function keys the re-run form records the key holder; principal headers the key holder sent are kept apart as an unverified claim", async () => {
    const forged = {
      "x-ms-client-principal-name": "ceo@contoso.com",
      origin: ORIGIN,
      "content-type": "application/x-www-form-urlencoded",
    };
    const posted = await statusPageHttp(
      request("POST", "/reconcile?code=k", forged, form({ serviceId: SSS_PROD, dryRun: "true" })),
      stack.context("statusPageHttp"),
    );
    expect(posted.status).toBe(303);
    const runId =
      String((posted.headers as Record<string, string>).location)
        .split("/")
        .pop()
        ?.split("?")[0] ?? "";
    expect((await getRun(stack.app.tables.runs, runId))?.trigger).toEqual({
      kind: "http",
      caller: "function key holder",
      callerVerifiedBy: "functionKey",
      claimedCaller: "ceo@contoso.com",
    });
    await stack.drain();
  });

  it("Entra sign-in: a form posted to a URL whose authority came from the request target is refused by its Host header", async () => {
    const before = await queued();
    const alice = { "x-ms-client-principal-name": "alice@contoso.com" };
    const spoofed = new HttpRequest({
      method: "POST",
      url: "https://evil.example/api/page/reconcile",
      headers: {
        ...alice,
        host: new URL(ORIGIN).host,
        origin: "https://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      params: { path: "reconcile" },
      body: { string: form({ serviceId: SSS_PROD }) },
    });
    const response = await entraPage(spoofed);
    expect(response.status).toBe(403);
    expect(await queued()).toBe(before);
  });

  it("Entra sign-in: a GET without the platform's principal is sent to sign in and back; a POST is refused", async () => {
    const get = await entraPage(request("GET", `/service?id=${encodeURIComponent(SSS_PROD)}`));
    expect(get.status).toBe(302);
    expect(get.headers.location).toBe(
      `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(`/api/page/service?id=${encodeURIComponent(SSS_PROD)}`)}`,
    );
    const before = await queued();
    const post = await entraPage(request("POST", "/reconcile", { origin: ORIGIN }, form({ serviceId: SSS_PROD })));
    expect(post.status).toBe(401);
    expect(await queued()).toBe(before);
  });

  it.each([
    ["another site's form", { origin: "https://evil.example" }],
    ["a request with neither Origin nor Sec-Fetch-Site", {}],
  ])("refuses %s with 403 and queues nothing", async (_, headers: Record<string, string>) => {
    const before = await queued();
    const response = await statusPageHttp(
      request("POST", "/reconcile?code=k", headers, form({ serviceId: SSS_PROD, dryRun: "true" })),
      stack.context("statusPageHttp"),
    );
    expect(response.status).toBe(403);
    expect(String(response.body)).toContain("Re-runs from the page must be posted by the page itself");
    expect(await queued()).toBe(before);
  });

  it("a form naming a service outside the scopes or not a service id answers the API's error as a page", async () => {
    const outside = await statusPageHttp(
      request(
        "POST",
        "/reconcile",
        { origin: ORIGIN },
        form({
          serviceId:
            "/subscriptions/33333333-3333-4333-8333-333333333333/resourceGroups/x/providers/Microsoft.StorageSync/storageSyncServices/y",
        }),
      ),
      stack.context("statusPageHttp"),
    );
    expect(outside.status).toBe(403);
    const bad = await statusPageHttp(
      request("POST", "/reconcile", { origin: ORIGIN }, form({ serviceId: HOSTILE })),
      stack.context("statusPageHttp"),
    );
    expect(bad.status).toBe(400);
    expect(String(bad.body)).not.toContain("<script>");
    expect(String(bad.body)).toContain("&lt;script&gt;");
  });

  it("renders a service with 100 recorded servers in one request, escaping every value from the tables", async () => {
    const now = new Date().toISOString();
    await updateServiceRow(stack.app.tables.services, SSS_BRANCH, (s) => ({
      ...s,
      converged: false,
      lastError: HOSTILE,
    }));
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const serverId = `bbbb${String(i).padStart(4, "0")}-0000-4000-8000-000000000000`;
        return stack.app.tables.servers.upsertEntity(
          serverToEntity({
            serviceId: SSS_BRANCH,
            serverId,
            resourceId: `${SSS_BRANCH}/registeredServers/${serverId}`,
            name: `${HOSTILE}${i}`,
            state: "Failed",
            reason: HOSTILE,
            remedy: HOSTILE,
            lastCheckedAt: now,
            switchAttempts: 1,
            autoReruns: 0,
          }),
        );
      }),
    );
    const response = await statusPageHttp(
      request("GET", `/service?id=${encodeURIComponent(SSS_BRANCH)}&code=k`),
      stack.context("statusPageHttp"),
    );
    expect(response.status).toBe(200);
    const body = String(response.body);
    expect(body.match(/<tr id="server-bbbb/g)).toHaveLength(100);
    expect(body).not.toContain("<script>");
    expect(body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;99");
    // Every link and form keeps the key the page was opened with.
    expect(body).toContain('action="/api/page/reconcile?code=k"');

    const overview = await statusPageHttp(request("GET", "?code=k"), stack.context("statusPageHttp"));
    expect(overview.status).toBe(200);
    expect(String(overview.body)).toContain('Failed <span class="count">(100)</span>');
  });

  it("unknown pages and ids answer a page with the reason, not a crash", async () => {
    const notRun = await statusPageHttp(request("GET", "/runs/nope"), stack.context("statusPageHttp"));
    expect(notRun.status).toBe(400);
    const nothing = await statusPageHttp(request("GET", "/nothing-here"), stack.context("statusPageHttp"));
    expect(nothing.status).toBe(404);
    const getReconcile = await statusPageHttp(request("GET", "/reconcile"), stack.context("statusPageHttp"));
    expect(getReconcile.status).toBe(405);
  });
});
