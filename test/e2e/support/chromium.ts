import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Debian's Chromium: the browser tests drive the distribution's build, never a downloaded one. */
export const CHROMIUM = "/usr/bin/chromium";

/** How long installing Chromium with apt may take on a fresh machine (CI runs as root on a clean clone). */
export const CHROMIUM_INSTALL_TIMEOUT_MS = 600_000;

/** Installs Debian's chromium package with apt when /usr/bin/chromium is missing. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM} is missing and this process is not root, so it cannot install it: run "sudo apt-get update && sudo apt-get install -y chromium"`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Another apt run on the machine holds the lock for a while; wait for it instead of failing.
  const wait = ["-o", "DPkg::Lock::Timeout=300"];
  execFileSync("apt-get", [...wait, "update"], { env, stdio: "inherit" });
  execFileSync("apt-get", [...wait, "install", "-y", "chromium"], { env, stdio: "inherit" });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile and no background traffic. JavaScript
 * is off unless asked for: the pages must work without it.
 */
export async function launchChromium(options: { javaScriptEnabled?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "afs-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: options.javaScriptEnabled ?? false,
    viewport: { width: 1280, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
