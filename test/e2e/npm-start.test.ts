import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorAdminClient } from "../../dev/emulator/admin-client";
import { AppApiClient, type RunStatus, type ServiceDetail } from "../../dev/host/app-api-client";
import { PROJECT_DIR } from "../../dev/host/local-stack";
import { E2E_TEST_TIMEOUT_MS, eventually } from "./support/e2e-stack";
import { startNpmStart, type NpmStart } from "./support/npm-start-process";
import { SSS_PROD } from "./support/seeds";

/** Every process below pid (Linux `ps`), so the test can check that none survives. */
function descendants(pid: number): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() ?? -1) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The local host's process among pid's descendants (its command line runs dev/host/main.ts). */
function hostProcess(pid: number): number | undefined {
  const mine = new Set(descendants(pid));
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter(
      (m): m is RegExpExecArray =>
        m !== null && mine.has(Number(m[1])) && (m[2] ?? "").includes(path.join("dev", "host", "main.ts")),
    )
    .map((m) => Number(m[1]))[0];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function envFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] ?? "", (m[2] ?? "").replace(/^"(.*)"$/, "$1")]),
  );
}

// `npm start` (dev/start.ts on the built app), as a terminal runs it (its own process group). The steps share
// one stack and run in order: the story, a host killed and restarted, then Ctrl-C while a reconcile is in flight.
describe("npm start", () => {
  let npm: NpmStart;
  let api: AppApiClient;
  let processes: number[] = [];

  beforeAll(async () => {
    npm = await startNpmStart(60_000, { ownProcessGroup: true });
  }, E2E_TEST_TIMEOUT_MS);

  afterAll(async () => {
    if (npm?.child.exitCode === null) await npm.stop();
  }, E2E_TEST_TIMEOUT_MS);

  it("tells the story within a minute and prints the status URLs with the key", async () => {
    const output = npm.output;
    expect(output(), output()).toContain("press Ctrl-C");
    expect(output()).toMatch(/\[story\] ✔ fs06\.contoso\.local now authenticates with its managed identity/);
    const key = /function key: ([A-Za-z0-9]+)/.exec(output())?.[1] ?? "";
    const servicesUrl =
      /curl -s -H "x-functions-key: [A-Za-z0-9]+" (http:\/\/127\.0\.0\.1:\d+\/api)\/services/.exec(output())?.[1] ?? "";
    api = new AppApiClient(servicesUrl, key);
    expect((await api.get("/services")).status).toBe(200);
    processes = descendants(npm.child.pid ?? -1);
    expect(processes.length).toBeGreaterThanOrEqual(2); // at least Azurite and the host
  });

  it(
    "restarts a host killed with SIGKILL, saying so, on the same URL and key, with Azurite's and the emulator's state intact",
    async () => {
      const hostPid = hostProcess(npm.child.pid ?? -1) ?? -1;
      expect(hostPid).toBeGreaterThan(0);
      process.kill(hostPid, "SIGKILL");
      await eventually("the restarted host", async () =>
        /Functions host restarted .*\(pid \d+, restart 1; same key\)/.test(npm.output()) ? true : undefined,
      );
      expect(npm.output()).toMatch(
        /the Functions host died \(killed by SIGKILL\) after \d+ s; restarting it \(restart 1\)/,
      );
      expect(npm.output()).not.toContain("[stack] stopping");
      const restartedPid = hostProcess(npm.child.pid ?? -1);
      expect(restartedPid).not.toBe(hostPid);
      expect(npm.output()).toContain(`(pid ${restartedPid}, restart 1; same key)`);
      // Azurite kept the status the story wrote; the emulator kept its grants and switches, so a plan finds nothing to
      // do.
      const detail = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(SSS_PROD)}`);
      expect(detail.status).toBe(200);
      expect(detail.body.service.useIdentity).toBe(true);
      const dryRun = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_PROD, dryRun: true });
      expect(dryRun.status).toBe(202);
      const plan = await eventually("the dry run's plan", async () => {
        const run = await api.get<RunStatus>(`/runs/${dryRun.body.runs[0]?.runId}`);
        return run.status === 200 && run.body.status === "dryRun" ? (run.body.plan ?? []) : undefined;
      });
      expect(plan).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "Ctrl-C (SIGINT to the group, then the stack's SIGTERM) lets an in-flight reconcile finish, then stops everything",
    async () => {
      const env = envFile(path.join(PROJECT_DIR, ".local", "emulator.env"));
      const admin = new EmulatorAdminClient(
        env.EMULATOR_ADMIN_URL ?? "",
        readFileSync(env.NODE_EXTRA_CA_CERTS ?? "", "utf8"),
      );
      // Slow ARM reads of the service keep its run in flight for seconds.
      await admin.addFault({
        match: { pathContains: "/storageSyncServices/sss-prod", method: "GET" },
        effect: { kind: "latency", ms: 700 },
      });
      const accepted = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_PROD });
      expect(accepted.status).toBe(202);
      const runId = accepted.body.runs[0]?.runId ?? "";
      await eventually("the run to be running", async () =>
        (await api.get<RunStatus>(`/runs/${runId}`)).body.status === "running" ? true : undefined,
      );

      const pid = npm.child.pid ?? -1;
      process.kill(-pid, "SIGINT"); // the terminal's Ctrl-C: every process of the group
      const code = await npm.stop();
      expect(code).toBe(0);
      const output = npm.output();
      const finished = output.search(new RegExp(`\\[reconcileWorker\\] .*run ${runId} succeeded`));
      expect(finished, output.slice(-3000)).toBeGreaterThan(output.indexOf("[stack] stopping"));
      expect(finished).toBeLessThan(output.indexOf("[stack] stopped"));
      const hostLog = readFileSync(path.join(PROJECT_DIR, ".local", "host.log"), "utf8");
      // Both signals reached the host, in either order (the kernel's SIGINT, the stack's SIGTERM): one shutdown.
      const signals = hostLog.match(/"message":"SIG(INT|TERM) received[^"]*"/g) ?? [];
      expect(signals).toHaveLength(2);
      expect(signals.filter((m) => m.includes("already stopping"))).toHaveLength(1);
      expect(hostLog).toMatch(/Executed 'Functions\.reconcileWorker' \(Succeeded/);

      // Helpers that exit on their own once their parent is gone (tsx's esbuild service) get a bounded moment to do so.
      const all = [...new Set([...processes, ...descendants(pid)])];
      const gone = Date.now() + 5_000;
      while (all.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
      const survivors = all.filter(alive);
      expect(
        survivors,
        survivors.length > 0
          ? execFileSync("ps", ["-o", "pid,cmd", "-p", survivors.join(",")], { encoding: "utf8" })
          : "",
      ).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
