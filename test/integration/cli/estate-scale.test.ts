import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, inject } from "vitest";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../../dev/emulator/index";
import { estateIds, generateEstate, type EstateOptions } from "../../../dev/seeds/generate-estate";

/**
 * The built CLI over an estate of several subscriptions (services in one,
 * their storage in the next): several scopes, services worked concurrently,
 * the progress display through a real pseudo-terminal (util-linux `script`),
 * plain lines without one, and Ctrl-C typed at that terminal.
 */
const ROOT = path.resolve(__dirname, "../../..");
const CLI = path.join(ROOT, "dist/cli/main.js");
const ESTATE: Partial<EstateOptions> & Pick<EstateOptions, "subscriptionId"> = {
  services: 6,
  servicesPerSubscription: 3,
  serversPerService: 4,
  syncGroupsPerService: 2,
  accountsPerService: 1,
  subscriptionId: "5ca1e000-0000-4000-8000-00000000a001",
};
const SUB0 = estateIds.subscriptionId(ESTATE, 0);
const SUB1 = estateIds.subscriptionId(ESTATE, 1);
// 13 writes per service: identity, 1 account + 2 shares for it, 4 server grants, useIdentity, 4 switches.
const WRITES_PER_SERVICE = 13;

interface Run {
  code: number;
  out: string;
  err: string;
}

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function estate(
  latencyMs: number,
  writeMs = latencyMs,
  throttle?: EmulatorOptions["throttle"],
): Promise<EmulatorHandle> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  emulator = await startEmulator({
    tls: inject("localTls"),
    seed: generateEstate(ESTATE),
    lroMode: "sync",
    latency: { readMs: latencyMs, writeMs },
    ...(throttle ? { throttle } : {}),
  });
  await emulator.admin.advanceTime(60_000); // agents report their machines' identities
  return emulator;
}

const env = (em: EmulatorHandle, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? "",
  ...em.env,
  ...extra,
});

/** Without a terminal: stdout and stderr are pipes. */
function piped(em: EmulatorHandle, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: env(em, extra), timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, out, err });
    });
  });
}

/**
 * At a terminal: `script` runs the CLI on a new pseudo-terminal, copies what we write to its stdin onto the
 * terminal (a \x03 there is Ctrl-C: the terminal sends SIGINT) and everything printed back to us.
 */
function atTerminal(em: EmulatorHandle, args: string[], extra: Record<string, string> = {}) {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...env(em, extra), TERM: "xterm" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  const waiters: Array<{ test: (s: string) => boolean; resolve: () => void }> = [];
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.splice(0))
      if (w.test(out)) w.resolve();
      else waiters.push(w);
  });
  return {
    typed: (keys: string) => child.stdin.write(keys),
    seen: (test: (s: string) => boolean) =>
      new Promise<void>((resolve) => (test(out) ? resolve() : waiters.push({ test, resolve }))),
    done: new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code: code ?? 1, out, err: "" }))),
  };
}

function duplicateAssignments(em: EmulatorHandle): number {
  const keys = [...em.core.state.roleAssignments.values()].map((a) =>
    `${a.principalId}|${a.roleDefinitionId}|${a.scope}`.toLowerCase(),
  );
  return keys.length - new Set(keys).size;
}

/** When each service's ARM requests (attributed by resource group) began and ended. */
function serviceSpans(em: EmulatorHandle): Map<string, { from: number; to: number }> {
  const spans = new Map<string, { from: number; to: number }>();
  for (const r of em.core.recorder.requests()) {
    // A service's own requests name it or its storage account (the scope's list names the group only).
    const group =
      /\/resourcegroups\/(rg-sync-\d+)\/providers\/microsoft\.(storagesync\/storagesyncservices|storage\/storageaccounts)\//i
        .exec(r.path)?.[1]
        ?.toLowerCase();
    if (!group) continue;
    const t = Date.parse(r.time);
    const span = spans.get(group) ?? { from: t, to: t };
    spans.set(group, { from: Math.min(span.from, t), to: Math.max(span.to, t) });
  }
  return spans;
}

/** The most services whose ARM requests were under way at one moment. */
function peakServicesAtOnce(em: EmulatorHandle): number {
  const list = [...serviceSpans(em).values()];
  // Log times have millisecond resolution: a span ending in the millisecond another starts has handed over its slot.
  return Math.max(...list.map((s) => 1 + list.filter((o) => o !== s && o.from <= s.from && s.from < o.to).length));
}

describe("afs-identity at estate scale", () => {
  it("takes several scopes (a subscription, a resource group), works their services concurrently within --concurrency, leaves the rest alone", async () => {
    const em = await estate(40);
    em.core.recorder.reset();
    const scopes = `/subscriptions/${SUB0}, /subscriptions/${SUB1}/resourceGroups/${estateIds.resourceGroup(4)}`;
    const result = await piped(em, ["apply", "--yes", "--scope", scopes, "--concurrency", "2", "--json"]);
    expect(result.code, result.err).toBe(0);
    const output = JSON.parse(result.out) as {
      command: string;
      exitCode: number;
      reports: Array<{ serviceId: string; converged: boolean }>;
      failures: unknown[];
    };
    expect(Object.keys(output)).toEqual(["command", "exitCode", "reports", "failures"]);
    expect(output.reports.map((r) => r.serviceId)).toEqual([0, 1, 2, 4].map((s) => estateIds.serviceId(ESTATE, s)));
    expect(output.reports.every((r) => r.converged)).toBe(true);
    const useIdentity = [...em.core.state.services.values()].filter((s) => s.useIdentity).map((s) => s.name);
    expect(useIdentity.sort()).toEqual(["sss-000", "sss-001", "sss-002", "sss-004"]);
    expect(peakServicesAtOnce(em)).toBe(2);
    // Started round-robin over subscriptions: the second subscription's service before the first's second.
    const spans = serviceSpans(em);
    expect(spans.get(estateIds.resourceGroup(4))?.from).toBeLessThan(spans.get(estateIds.resourceGroup(1))?.from ?? 0);
    expect(duplicateAssignments(em)).toBe(0);
  });

  it("waits out throttling to the end when every request in flight is held by the gate (nothing else keeps the process alive)", async () => {
    // Small write buckets: the run spends most of its time with all its writes waiting on the throttle gate.
    const em = await estate(5, 5, { writeBurst: 5, writePerSecond: 20, timeScale: 1 });
    const result = await piped(em, ["apply", "--yes", "--subscription", SUB0, "--subscription", SUB1, "--json"]);
    expect(result.code, result.err).toBe(0);
    const output = JSON.parse(result.out) as { reports: Array<{ converged: boolean }> };
    expect(output.reports).toHaveLength(6);
    expect(output.reports.every((r) => r.converged)).toBe(true);
    // Far more writes than the 5-token burst: most waited in the gate for the refill (paced, or after a 429).
    const writes = [...em.core.throttle.granted().values()].reduce((n, c) => n + c.write, 0);
    expect(writes).toBeGreaterThan(5 * 5);
    expect(duplicateAssignments(em)).toBe(0);
  });

  it("draws live progress on a terminal: services, writes, servers by state, 429 wait, ETA", async () => {
    const em = await estate(20);
    const run = atTerminal(em, ["apply", "--yes", "--subscription", SUB0, "--subscription", SUB1]);
    const { code, out } = await run.done;
    expect(code, out).toBe(0);
    expect(out).toContain("\x1b[2A\x1b[0J"); // the two progress lines redrawn in place
    const last = out.lastIndexOf("services 6/6");
    expect(last).toBeGreaterThan(0);
    expect(out.slice(last)).toMatch(
      new RegExp(
        `^services 6/6 {2}writes ${6 * WRITES_PER_SERVICE}/${6 * WRITES_PER_SERVICE} {2}waited on throttling \\d+s {2}elapsed \\d+s {2}ETA \\d+s\\r?\\nservers: Switched 24`,
      ),
    );
    expect(out).not.toContain("done: Grant"); // per-action lines stay off the live display
  });

  it("prints plain lines without a terminal, and at a terminal with NO_COLOR", async () => {
    const em = await estate(10);
    const plain = await piped(em, ["plan", "--subscription", SUB0]);
    expect(plain.code).toBe(2);
    expect(plain.err).not.toContain("\x1b[");
    expect(plain.err).toMatch(/^progress: services 3\/3 {2}writes 0\/0 .*\nprogress: servers: Eligible 12$/m);
    const noColor = await atTerminal(em, ["plan", "--subscription", SUB0], { NO_COLOR: "1" }).done;
    expect(noColor.out).not.toContain("\x1b[");
    expect(noColor.out).toContain("progress: services 3/3");
  });

  it("first Ctrl-C: writes in flight finish, nothing new starts, what was and was not done is printed, exit 130; a re-run finishes the rest", async () => {
    const em = await estate(150);
    em.core.recorder.reset();
    const run = atTerminal(em, ["apply", "--yes", "--subscription", SUB0, "--subscription", SUB1]);
    await run.seen((out) => /writes [1-9]\d*\//.test(out));
    run.typed("\x03");
    const { code, out } = await run.done;
    expect(code, out).toBe(130);
    expect(out).toContain("Stopping: letting writes in flight finish");
    const made = Number(/Writes done: (\d+); not done: (\d+)/.exec(out)?.[1]);
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThan(6 * WRITES_PER_SERVICE);
    // Every write ARM received was answered and counted: none was cut off in flight.
    const writes = em.core.recorder.requests().filter((r) => r.method !== "GET");
    expect(writes.every((r) => r.status >= 200 && r.status < 300)).toBe(true);
    expect(writes).toHaveLength(made);
    expect(out).toMatch(/Not done \(\d+\):/);
    // Servers left behind by the stop are waiting for the next run, not failed.
    expect(out).toContain("Not switched: the run was stopped before its switch");
    expect(out).not.toMatch(/\bFailed\s+Not switched/);
    expect(out).toContain("Run the same command again to finish");

    const rest = await piped(em, ["apply", "--yes", "--subscription", SUB0, "--subscription", SUB1, "--json"]);
    expect(rest.code, rest.err).toBe(0);
    expect(em.core.recorder.requests().filter((r) => r.method !== "GET")).toHaveLength(6 * WRITES_PER_SERVICE);
    expect(duplicateAssignments(em)).toBe(0);
  });

  it("second Ctrl-C stops at once, without waiting for writes in flight", async () => {
    const em = await estate(20, 5_000);
    const run = atTerminal(em, ["apply", "--yes", "--subscription", SUB0]);
    await run.seen((out) => /writes 0\/[1-9]/.test(out)); // planned; the first writes are on their way
    run.typed("\x03");
    await run.seen((out) => out.includes("Stopping:"));
    run.typed("\x03");
    const { code, out } = await run.done;
    expect(code).toBe(130);
    expect(out).toContain("Stopped at once");
    expect(out).not.toContain("Interrupted: writes in flight finished");
  });
});
