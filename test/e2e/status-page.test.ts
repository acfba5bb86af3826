import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_INSTALL_TIMEOUT_MS, ensureChromium, launchChromium, type Browser } from "./support/chromium";
import { contrastReport } from "./support/contrast";
import { E2E_TEST_TIMEOUT_MS } from "./support/e2e-stack";
import { startNpmStart, type NpmStart } from "./support/npm-start-process";

/**
 * The status page in a real browser (Debian's Chromium with a fresh profile
 * directory, JavaScript off)
 * against `npm start`'s stack after its story: open the page printed on the
 * terminal, follow the service to a server, press the buttons and watch the
 * runs appear.
 */
const SCREENSHOT = path.resolve(__dirname, "..", "..", ".local", "status-page-service.png");
let npmStart: NpmStart | undefined;
let browser: Browser | undefined;
let page: Page;
let pageUrl = "";
const cspViolations: string[] = [];

beforeAll(async () => {
  ensureChromium();
  npmStart = await startNpmStart();
  pageUrl =
    /\[try {2}\] status page: (http:\/\/127\.0\.0\.1:\d+\/api\/page\?code=[A-Za-z0-9]+)/.exec(npmStart.output())?.[1] ??
    "";
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on("console", (m) => {
    if (/content security policy/i.test(m.text())) cspViolations.push(m.text());
  });
}, CHROMIUM_INSTALL_TIMEOUT_MS + E2E_TEST_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  // Ctrl-C stops the whole stack cleanly (exit 0); when the start itself failed there is nothing to stop.
  if (npmStart) expect(await npmStart.stop()).toBe(0);
}, E2E_TEST_TIMEOUT_MS);

/** Waits for a locator to be visible (playwright-core has no expect matchers; waitFor fails naming the locator). */
const shown = (locator: Locator, timeout = 10_000): Promise<void> =>
  locator.first().waitFor({ state: "visible", timeout });
const textOf = async (locator: Locator): Promise<string> => ((await locator.textContent()) ?? "").trim();

/** WCAG AA contrast for all the page's text (and the check really measured the page). */
async function expectReadable(on: Page): Promise<void> {
  const report = await contrastReport(on);
  expect(report.checked).toBeGreaterThan(10);
  expect(report.low).toEqual([]);
}

/** The run history table's run links, as run ids. */
async function runIdsListed(): Promise<string[]> {
  const hrefs = await page
    .locator("table.runs tbody a")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  return hrefs.map((h) => /\/runs\/([^?]+)/.exec(h)?.[1] ?? "");
}

describe("status page in Chromium", () => {
  it(
    "npm start prints the page's URL; the page answers with a strict CSP and one card per service with the portal's tiles",
    async () => {
      expect(pageUrl, npmStart?.output()).not.toBe("");
      const response = await page.goto(pageUrl);
      expect(response?.status()).toBe(200);
      const csp = response?.headers()["content-security-policy"] ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain("script-src");
      expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("Storage Sync Services");
      const card = page.getByRole("article", { name: "sss-prod" });
      await shown(card.getByText("Ready to use Managed ID"));
      await shown(card.getByText("Using Managed ID"));
      await shown(card.getByRole("heading", { name: /Without an identity/ }));
      expect(await page.locator("script").count()).toBe(0);
      await expectReadable(page);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "follows the service to a server",
    async () => {
      await page.getByRole("link", { name: "sss-prod", exact: true }).click();
      await page.waitForURL(/\/api\/page\/service\?/);
      const servers = page.getByRole("table", { name: /Registered servers of sss-prod/ });
      await shown(servers);
      const row = servers.getByRole("row", { name: /fs06\.contoso\.local/ });
      await shown(row.getByText("Using Managed ID"));
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      await expectReadable(page);

      await row.getByRole("link", { name: "fs06.contoso.local" }).click();
      await page.waitForURL(/\/api\/page\/server\?/);
      expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("fs06.contoso.local");
      await shown(page.getByText("Principal (managed identity)"));
      await shown(page.getByText("ManagedIdentity", { exact: true }));
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "re-run: the button queues a run, its page follows it to the end, and the service's history lists it",
    async () => {
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "sss-prod" }).click();
      await page.waitForURL(/\/api\/page\/service\?/);
      const before = await runIdsListed();
      await page.getByRole("button", { name: "Re-run sss-prod" }).click();
      await page.waitForURL(/\/api\/page\/runs\/.*queued=new/);
      expect(await textOf(page.getByRole("status"))).toBe("Your request was queued as this run.");
      const runId = /\/runs\/([^?]+)/.exec(page.url())?.[1] ?? "";
      expect(before).not.toContain(runId);
      await shown(page.getByText("re-run by function key holder"));
      // The page reloads itself (meta refresh, no script) until the run has finished.
      await shown(page.locator(".badge.run-succeeded"), 60_000);
      await expectReadable(page);
      await shown(
        page
          .getByRole("table", { name: /Outcomes|Plan/ })
          .or(page.getByRole("heading", { name: /Plan \(0 actions\): none/ }))
          .first(),
      );

      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "sss-prod" }).click();
      await page.waitForURL(/\/api\/page\/service\?/);
      expect(await runIdsListed()).toContain(runId);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "dry run: the button queues a dry run that ends as dryRun",
    async () => {
      await page.getByRole("button", { name: "Dry run sss-prod" }).click();
      await page.waitForURL(/\/api\/page\/runs\/.*queued=/);
      await shown(page.getByText("dry run: observed and planned only"));
      await shown(page.locator(".badge.run-dryRun"), 60_000);
      expect(cspViolations).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "a form on another site posting to //evil.example/api/page/reconcile queues nothing: the host reads that as a path",
    async () => {
      const attacker = await browser?.context.newPage();
      if (!attacker) throw new Error("no browser");
      const app = new URL(pageUrl);
      const code = app.searchParams.get("code") ?? "";
      // The attacker's page, served as http://evil.example (so the browser sends Origin: http://evil.example).
      await attacker.route("http://evil.example/**", (route) =>
        route.fulfill({
          contentType: "text/html",
          body: `<form method="post" action="${app.origin}//evil.example/api/page/reconcile?code=${code}"><input type="hidden" name="serviceId" value="/subscriptions/x"><button>go</button></form>`,
        }),
      );
      await attacker.goto("http://evil.example/");
      const answer = attacker.waitForResponse((r) => r.url().includes("/api/page/reconcile"));
      await attacker.getByRole("button", { name: "go" }).click();
      const response = await answer;
      expect(response.request().headers()["origin"]).toBe("http://evil.example");
      // No route serves //evil.example/...: 404 from the host, before any function runs (before: 303 and a queued run).
      expect(response.status()).toBe(404);
      await attacker.close();
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "the contrast check itself finds grey on white",
    async () => {
      const probe = await browser?.context.newPage();
      if (!probe) throw new Error("no browser");
      await probe.setContent('<p style="color:#aaaaaa">faint</p><p style="color:#595959">fine</p><p>plain</p>');
      const report = await contrastReport(probe);
      expect(report.checked).toBe(3);
      expect(report.low.map((l) => l.text)).toEqual(["faint"]);
      await probe.close();
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
