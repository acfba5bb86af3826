import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateIds, generateEstate, type EstateOptions } from "../../dev/seeds/generate-estate";
import { silentLog } from "../../src/lib/ports/log";
import {
  listServiceRows,
  quotaUsageText,
  quotasBySubscription,
  recordEstateDay,
  SERVER_STATES,
  type StateCounts,
} from "../../src/lib/store";
import { servePage } from "../../src/lib/status-page/routes";
import { STYLESHEET } from "../../src/lib/status-page/stylesheet";
import { reconcileAllInScope } from "../../src/lib/sweep/sweep";
import { startAppStack, type AppStack } from "../integration/support/app-harness";
import { CHROMIUM_INSTALL_TIMEOUT_MS, ensureChromium, launchChromium, type Browser } from "./support/chromium";
import { contrastReport } from "./support/contrast";

/**
 * The overview's estate section in Chromium (JavaScript off, the page's own
 * CSP and stylesheet), over an estate of two subscriptions after real sweeps
 * and runs: totals, the service listed but never reconciled and the scope
 * that could not be listed (with why), the 30-day chart of servers by state
 * with its table, and role assignments per subscription (the runs' counts
 * kept on the service rows).
 */
const ESTATE: Partial<EstateOptions> & Pick<EstateOptions, "subscriptionId"> = {
  services: 4,
  servicesPerSubscription: 2,
  serversPerService: 3,
  syncGroupsPerService: 2,
  accountsPerService: 1,
  subscriptionId: "5ca1e000-0000-4000-8000-00000000e001",
};
const SUB0 = estateIds.subscriptionId(ESTATE, 0);
const SUB1 = estateIds.subscriptionId(ESTATE, 1);
const MISSING_SCOPE = `/subscriptions/${SUB1}/resourceGroups/rg-missing`;
const ORIGIN = "https://status.test";
const SCREENSHOT = path.resolve(__dirname, "..", "..", ".local", "status-page-estate.png");

let stack: AppStack;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];

const counts = (partial: Partial<StateCounts>): StateCounts => ({
  ...(Object.fromEntries(SERVER_STATES.map((s) => [s, 0])) as StateCounts),
  ...partial,
});

beforeAll(async () => {
  ensureChromium();
  stack = await startAppStack({
    emulator: { seed: generateEstate(ESTATE) },
    settings: { MANAGED_SCOPES: `/subscriptions/${SUB0},/subscriptions/${SUB1},${MISSING_SCOPE}` },
  });
  await stack.emulator.admin.advanceTime(60_000); // the agents report their identities
  // The days before today, as earlier sweeps would have left them: servers moving from Eligible to Active.
  const now = Date.now();
  for (let d = 29; d >= 1; d -= 4) {
    const active = Math.round((12 * (29 - d)) / 29);
    await recordEstateDay(
      stack.app.tables.services,
      counts({ Eligible: 12 - active, Active: active }),
      4,
      new Date(now - d * 86_400_000),
    );
  }
  const sweep = () => reconcileAllInScope(stack.app, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
  await sweep();
  // One service's run never gets to record anything (as if it kept failing before it could).
  const stuck = estateIds.serviceId(ESTATE, 3).toLowerCase();
  const dropStuck = async () => {
    await new Promise((r) => setTimeout(r, 1_200)); // sweep requests become visible after RECONCILE_COALESCE_DELAY (1 s here)
    const { receivedMessageItems } = await stack.queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 1 });
    for (const m of receivedMessageItems)
      if (Buffer.from(m.messageText, "base64").toString().toLowerCase().includes(stuck))
        await stack.queue.deleteMessage(m.messageId, m.popReceipt);
  };
  await dropStuck();
  await new Promise((r) => setTimeout(r, 1_100)); // the others, seen by dropStuck, become visible again
  await stack.drain();
  await sweep(); // records today's point after the runs
  await dropStuck();

  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on("console", (m) => {
    if (/content security policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith(".css") || url.pathname.includes("style")) {
      await route.fulfill({ status: 200, contentType: "text/css", body: STYLESHEET });
      return;
    }
    const answer = await servePage(
      stack.app,
      {
        method: "GET",
        url: url.toString(),
        params: { path: url.pathname.replace(/^\/api\/page\/?/, "") },
        headers: new Headers(),
        text: () => Promise.resolve(""),
      },
      "functionKey",
      silentLog,
    );
    await route.fulfill({ status: answer.status, headers: answer.headers, body: answer.body });
  });
}, CHROMIUM_INSTALL_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("status page: the estate", () => {
  it("shows totals, the service never reconciled and the scope not listed with why, the 30-day chart with its table, quota use", async () => {
    const response = await page.goto(`${ORIGIN}/api/page`);
    expect(response?.status()).toBe(200);
    const estate = page.getByRole("region", { name: "Estate" });
    await estate.waitFor();

    const totals = estate.getByRole("table", { name: "Estate totals" });
    const totalCells = await totals.locator("tbody td").allTextContents();
    // 4 services (3 with a status row + 1 listed only), 1 not reconciled, 9 servers of the 3 reconciled services, 9
    // Switched.
    expect(totalCells.slice(0, 3)).toEqual(["4", "1", "9"]);
    expect(totalCells[3 + SERVER_STATES.indexOf("Switched")]).toBe("9");

    const notYet = estate.getByRole("region", { name: /Not reconciled yet/ });
    expect(await notYet.textContent()).toContain("sss-003");
    expect(await notYet.textContent()).toMatch(/sss-003.*its first run has not recorded a status yet/s);
    expect(await notYet.textContent()).toMatch(/rg-missing.*could not list its services/s);

    // The chart: an SVG with one line per state seen, each named in text (readable without colour).
    const chart = estate.locator("svg.state-chart");
    expect(await notYet.getByRole("heading").textContent()).toBe("Not reconciled yet (1 service, 1 scope)");
    expect(await chart.getAttribute("role")).toBe("img");
    expect(await chart.locator("title").textContent()).toMatch(
      /^Servers by state, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/,
    );
    const series = await chart.locator("g.series").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-state")));
    expect(series).toEqual(["Eligible", "Switched", "Active"]);
    const dashes = await chart
      .locator("g.series polyline")
      .evaluateAll((ls) => ls.map((l) => l.getAttribute("stroke-dasharray") ?? "solid"));
    expect(new Set(dashes).size).toBe(3);
    // Today's point: the last one of the Switched line, labelled with its number.
    expect(await chart.locator('g.series[data-state="Switched"] text').textContent()).toBe("Switched 9");

    // The same numbers in the table: 8 earlier days and today.
    const history = estate.getByRole("table", { name: /the chart's numbers/ });
    const rows = await history.locator("tbody tr").allTextContents();
    expect(rows).toHaveLength(9);
    const today = history.locator("tbody tr").last();
    expect(await today.locator("th").textContent()).toBe(new Date().toISOString().slice(0, 10));
    expect(await today.locator("td").allTextContents()).toEqual(["3", "0", "9", "0"]);
    // Polyline points match the table: as many points as days.
    const points = await chart.locator('g.series[data-state="Active"] polyline').getAttribute("points");
    expect(points?.trim().split(/\s+/)).toHaveLength(9);

    // Quota use: each subscription the runs granted in, as they counted it (read before granting, plus what they
    // created), against 4,000.
    const quota = page.getByRole("region", { name: "Role assignments per subscription" });
    const quotaRows = await quota.locator("tbody tr").allTextContents();
    const assignmentsIn = (sub: string) =>
      [...stack.emulator.core.state.roleAssignments.values()].filter((a) =>
        a.scope.toLowerCase().startsWith(`/subscriptions/${sub}/`),
      ).length;
    const granted = [SUB0, SUB1].filter((sub) => assignmentsIn(sub) > 0);
    expect(granted.length).toBeGreaterThan(0);
    const recorded = quotasBySubscription(
      (await listServiceRows(stack.app.tables.services)).map((r) => r.roleAssignmentQuotas ?? []),
    );
    expect(recorded.map((q) => q.subscriptionId).sort()).toEqual(granted.map((s) => s.toLowerCase()).sort());
    expect(quotaRows).toHaveLength(recorded.length);
    for (const [i, q] of recorded.entries()) {
      const cells = await quota.locator("tbody tr").nth(i).locator("td").allTextContents();
      expect(cells[0]).toBe(q.subscriptionId);
      expect(cells[1]).toBe(quotaUsageText(q));
      expect(q.count).toBeGreaterThan(0);
      expect(q.count).toBeLessThanOrEqual(assignmentsIn(q.subscriptionId));
      expect(q.limit).toBe(4000);
    }

    expect(await page.locator("script").count()).toBe(0);
    expect(cspViolations).toEqual([]);
    const contrast = await contrastReport(page);
    expect(contrast.low).toEqual([]);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await estate.screenshot({ path: SCREENSHOT });
  });
});
