import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../dev/emulator/index";

/**
 * The built CLI (dist/cli/main.js, what the `afs-identity` bin runs) as a
 * child process against an emulator, configured only through the emulator's
 * env (ARM_ENDPOINT, NODE_EXTRA_CA_CERTS, IDENTITY_ENDPOINT/HEADER).
 */
const ROOT = path.resolve(__dirname, "../../..");
const CLI = path.join(ROOT, "dist/cli/main.js");
const SUB1 = "11111111-1111-4111-8111-111111111111";
const SERVICE = `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let emulator: EmulatorHandle;

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? "", ...emulator.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface JsonOutput {
  exitCode: number;
  reports: Array<{
    plan: Array<{ kind: string }>;
    converged: boolean;
    servers: Array<{ name: string; state: string; reason: string }>;
    armCalls: { writes: number };
  }>;
  failures: Array<{ serviceId: string; error: { code: string; statusCode?: number } }>;
}

beforeAll(async () => {
  // `npm test` builds first; a bare `vitest run` of this file needs the build too.
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  emulator = await startEmulator({ tls: inject("localTls") });
  await emulator.admin.advanceTime(60_000); // agents report the seeded machines' identities
});
afterAll(async () => {
  await emulator?.close();
});

describe("afs-identity CLI", () => {
  it("plan --subscription --json prints a non-empty plan, writes nothing, exits 2 (changes pending)", async () => {
    await emulator.admin.resetCalls();
    const result = await cli(["plan", "--subscription", SUB1, "--json"]);
    expect(result.code).toBe(2);
    const output = JSON.parse(result.stdout) as JsonOutput;
    expect(output.exitCode).toBe(2);
    expect(output.reports).toHaveLength(1);
    expect(output.reports[0]?.plan.length).toBeGreaterThan(0);
    expect(result.stderr).toContain("action(s) planned");
    expect((await emulator.admin.calls()).writes).toBe(0);
  });

  it("doctor from the built CLI finds the specs it checks answers against, and writes nothing", async () => {
    await emulator.admin.resetWrites();
    const result = await cli(["doctor", SERVICE, "--json"]);
    const report = JSON.parse(result.stdout) as { exitCode: number; checks: Array<{ area: string; title: string }> };
    expect(report.exitCode).toBe(result.code);
    expect(report.checks.filter((c) => c.area === "conformance").map((c) => c.title)).toContainEqual(
      expect.stringMatching(/^all \d+ ARM answers match the REST specifications$/),
    );
    expect(await emulator.admin.writes()).toEqual([]);
  });

  it("refuses to apply without --yes when stdin is not a terminal", async () => {
    await emulator.admin.resetCalls();
    const result = await cli(["apply", SERVICE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("pass --yes");
    expect((await emulator.admin.calls()).writes).toBe(0);
  });

  it("apply exits 2 with reasons while an agent is below MIN_AGENT_VERSION (default 20.0.0.0), with or without a reported identity", async () => {
    const result = await cli(["apply", SERVICE, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/fs04\s+AgentTooOld\s+Agent 19\.1\.0\.0 is older than 20\.0\.0\.0/);
    expect(result.stdout).toMatch(
      /fs02\S*\s+AgentTooOld\s+No managed identity reported, and agent 17\.3\.0\.0 is older than 20\.0\.0\.0/,
    );
    expect(result.stdout).toContain("converged");
  });

  it("apply --yes with MIN_AGENT_VERSION 19.1.0.0 switches fs04; exit 0 only once no agent is below the minimum", async () => {
    const apply = await cli(["apply", "--subscription", SUB1, "--yes", "--json"], { MIN_AGENT_VERSION: "19.1.0.0" });
    expect(apply.code).toBe(2); // fs02 runs 17.3.0.0
    const applied = JSON.parse(apply.stdout) as JsonOutput;
    expect(applied.reports[0]?.converged).toBe(true);
    expect(applied.reports[0]?.servers.find((s) => s.name === "fs04")?.state).toBe("Switched");
    expect(applied.reports[0]?.servers.find((s) => s.name.startsWith("fs02"))?.state).toBe("AgentTooOld");

    await emulator.admin.resetCalls();
    const plan = await cli(["plan", "--subscription", SUB1, "--json"], { MIN_AGENT_VERSION: "17.0.0.0" });
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as JsonOutput).reports[0]?.plan).toEqual([]);
    expect((await emulator.admin.calls()).writes).toBe(0);
  });

  it("exits 1 with a clear message on bad arguments, bad settings and a missing service", async () => {
    const usage = await cli(["frobnicate"]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('unknown command "frobnicate"');

    const setting = await cli(["plan", SERVICE], { MAX_CONCURRENCY: "lots" });
    expect(setting.code).toBe(1);
    expect(setting.stderr).toContain("MAX_CONCURRENCY");

    const missing = await cli(["plan", `${SERVICE}-gone`, "--json"]);
    expect(missing.code).toBe(1);
    const output = JSON.parse(missing.stdout) as JsonOutput;
    expect(output.failures[0]?.error).toMatchObject({ statusCode: 404 });
    expect(missing.stderr).toContain("-gone");
  });
});
