import { describe, expect, it } from "vitest";
import { pageLinks } from "../../../../src/lib/status-page/links";
import { overviewPage } from "../../../../src/lib/status-page/overview-view";
import { runPage } from "../../../../src/lib/status-page/run-view";
import { servicePage } from "../../../../src/lib/status-page/service-view";
import type { RunView, ServerView, ServiceView } from "../../../../src/lib/status-page/view-types";
import { emptyCounts } from "../../../../src/lib/store/records";
import { SERVER_STATES } from "../../../../src/lib/store/rows";

const SERVICE =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";
const HOSTILE = `<img src=x onerror="alert(1)">'&`;
const links = pageLinks("https://afs.example.net/api/page?code=k%2Bey");

function server(i: number): ServerView {
  const serverId = `5e7e${String(i).padStart(4, "0")}-0000-4000-8000-000000000000`;
  return {
    serviceId: SERVICE,
    serverId,
    resourceId: `${SERVICE}/registeredServers/${serverId}`,
    name: `${HOSTILE}${i}`,
    state: SERVER_STATES[i % SERVER_STATES.length] ?? "Active",
    reason: `reason ${HOSTILE}`,
    remedy: `remedy ${HOSTILE}`,
    agentVersion: `17.0.0.0${HOSTILE}`,
    principalId: i % 2 ? `a7c0${String(i).padStart(4, "0")}-0000-4000-8000-000000000000` : undefined,
    activationDueAt: "2026-12-04T10:00:00.000Z",
    lastCheckedAt: "2026-12-04T09:00:00.000Z",
    switchAttempts: 0,
    autoReruns: 0,
  };
}

const servers = Array.from({ length: 100 }, (_, i) => server(i));
const service: ServiceView = {
  serviceId: SERVICE,
  counts: emptyCounts(),
  warnings: [HOSTILE],
  lastError: HOSTILE,
  converged: false,
  updatedAt: "2026-12-04T09:00:00.000Z",
};
for (const s of servers) service.counts[s.state] = (service.counts[s.state] ?? 0) + 1;

/** The markup must contain the hostile text only escaped: no tag or attribute came from data. */
function expectEscaped(page: string): void {
  expect(page).not.toContain("<img");
  expect(page).not.toContain('onerror="');
  expect(page).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;");
  expect(page).not.toMatch(/<script|style=/i);
}

describe("status page views", () => {
  it("a service with 100 servers: one row each, every row headed by the server's name (th scope=row), every value escaped", () => {
    const page = servicePage({ links }, { service, servers, recentRuns: [] }).text;
    expectEscaped(page);
    const serverTable = page.slice(page.indexOf('<table class="servers">'), page.indexOf("</table>"));
    expect(serverTable).toContain("<caption>Registered servers of sss (100)</caption>");
    expect(serverTable.match(/<tr id="server-/g)).toHaveLength(100);
    expect(serverTable.match(/<th scope="row">/g)).toHaveLength(100);
    expect(serverTable.match(/<th scope="col">/g)).toHaveLength(7);
    // Switched servers say when their window ends.
    expect(serverTable).toContain(
      'window ends <time datetime="2026-12-04T10:00:00.000Z">2026-12-04 10:00:00 UTC</time>',
    );
    // Links and forms carry the key, URL-encoded.
    expect(page).toContain('action="/api/page/reconcile?code=k%2Bey"');
  });

  it("overview cards: the portal's two tiles and what needs attention, at most five per list with a link to the rest", () => {
    const page = overviewPage({ links }, [service], new Map([[SERVICE.toLowerCase(), servers]])).text;
    expectEscaped(page);
    expect(page).toContain("Ready to use Managed ID");
    expect(page).toContain("Using Managed ID");
    const using = servers.filter((s) => s.state === "Active").length;
    expect(page).toContain(
      `<p class="tile-label">Using Managed ID</p><p class="tile-value">${using}<span class="tile-of"> of 100</span>`,
    );
    for (const title of ["Without an identity", "Switched, waiting", "Overdue", "Failed", "Agent too old"])
      expect(page).toContain(`<h3>${title} `);
    const failed = servers.filter((s) => s.state === "Failed").length;
    expect(page).toContain(`${failed - 5} more on the service page`);
    expect(page.match(/<button type="submit"/g)).toHaveLength(2);
  });

  it("a service deleted in Azure: both pages say so with ARM's answer, escaped, and offer no re-run", () => {
    const deleted: ServiceView = {
      ...service,
      deletedAt: "2026-12-04T11:00:00.000Z",
      deletedReason: `ResourceNotFound: ${HOSTILE}`,
    };
    for (const page of [
      overviewPage({ links }, [deleted], new Map()).text,
      servicePage({ links }, { service: deleted, servers: [], recentRuns: [] }).text,
    ]) {
      expectEscaped(page);
      expect(page).toContain("Deleted in Azure (found <time");
      expect(page).toContain("ResourceNotFound: &lt;img");
      expect(page).not.toContain("Not converged");
      expect(page).not.toContain('<button type="submit"');
    }
  });

  it("a run page shows trigger, coalesced triggers, plan, outcomes with ARM request ids, call counts and duration, all escaped", () => {
    const run: RunView = {
      runId: "a89422b0f0eb8e53e0d37364bf62d5a1-8203598926347-0fdb62e8",
      serviceId: SERVICE,
      status: "completedWithFailures",
      dryRun: false,
      trigger: { kind: "http", caller: HOSTILE, userAgent: HOSTILE },
      coalescedTriggers: [{ kind: "event", eventId: "e1", operationName: HOSTILE, subject: "s" }],
      coalescedCount: 1,
      attempts: [
        { attempt: 1, worker: "w1", startedAt: "2026-12-04T08:59:00.000Z", status: "interrupted" },
        {
          attempt: 2,
          worker: "w2",
          startedAt: "2026-12-04T09:00:00.000Z",
          finishedAt: "2026-12-04T09:00:02.500Z",
          status: "completedWithFailures",
        },
      ],
      writes: [
        {
          serviceId: SERVICE,
          runId: "a89422b0f0eb8e53e0d37364bf62d5a1-8203598926347-0fdb62e8",
          attempt: 1,
          actionId: "grant:1",
          kind: "grantRole",
          method: "PUT",
          target: `${SERVICE}/providers/Microsoft.Authorization/roleAssignments/x`,
          principalId: HOSTILE,
          roleDefinitionGuid: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
          scope: SERVICE,
          clientRequestId: "c1e00000-0000-4000-8000-000000000001",
          intendedAt: "2026-12-04T08:59:01.000Z",
          status: "applied",
          armRequestId: "req-put-1",
          resolvedBy: "run#2",
        },
      ],
      queuedAt: "2026-12-04T09:00:00.000Z",
      finishedAt: "2026-12-04T09:00:02.500Z",
      durationMs: 2500,
      plan: [{ id: "grant:1", kind: "grantRole", dependsOn: [], description: HOSTILE }],
      outcomes: [
        {
          actionId: "grant:1",
          status: "failed",
          attempts: 2,
          durationMs: 40,
          error: { code: "AuthorizationFailed", message: HOSTILE, statusCode: 403, requestId: "req-403" },
          remedy: HOSTILE,
        },
      ],
      armReads: 12,
      armWrites: 3,
      warnings: [],
      followUps: [],
      duplicateDeliveries: [
        { runStatus: "completedWithFailures", dequeueCount: 2, receivedAt: "2026-12-04T09:05:00.000Z" },
      ],
    };
    const page = runPage({ links }, run, links.service(SERVICE)).text;
    expect(page).toContain(
      "<caption>Deliveries of this run&#39;s message after it finished, acknowledged without running again (1)</caption>",
    );
    expectEscaped(page);
    for (const text of [
      "req-403",
      "12 reads, 3 writes",
      "2.5 s",
      "<caption>Plan (1 actions)</caption>",
      "<caption>Outcomes (1)</caption>",
      "AuthorizationFailed (HTTP 403)",
      "<caption>Attempts (2)</caption>",
      "interrupted",
      "<caption>ARM writes, as journaled (1)</caption>",
      "c1e00000-0000-4000-8000-000000000001",
      "req-put-1",
      "Storage Account Contributor",
      "resolved by run#2",
    ])
      expect(page).toContain(text);
    expect(page).toContain("<caption>Requests merged into this run while it waited (1)</caption>");
    expect(page).not.toContain('http-equiv="refresh"'); // finished: no reloading
  });
});
