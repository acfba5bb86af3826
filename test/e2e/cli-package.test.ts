import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../dev/emulator/index";
import { CLI_BUNDLE, CLI_PACKAGE_DIR } from "../../dev/package/bundle";
import { bundledPackages, isNodeBuiltin, lockedInstalls, runtimeRequires } from "../../dev/package/package-contents";
import { emptyCounts } from "../../src/lib/store/records";
import { updateServiceRow } from "../../src/lib/store/service";
import { createStoreTables, ensureTables } from "../../src/lib/tables/clients";
import { SSS_PROD } from "./support/seeds";

/**
 * The CLI as users install it: `npm run pack:cli` packs dist/cli-package (written
 * by `npm run build`), `npm install -g` puts it under a fresh prefix, offline,
 * since the package declares no dependency, and the installed `afs-identity`
 * runs from a folder outside the repository against the emulator and Azurite.
 */

const INSTALL_TIMEOUT_MS = 120_000;
const REPO_ROOT = path.resolve(__dirname, "..", "..");

interface PackedFile {
  path: string;
}

let work: string;
let prefix: string;
let tarball: string;
let packed: string[];
let emulator: EmulatorHandle;

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.join(prefix, "bin", "afs-identity");
  return new Promise((resolve) => {
    // Only the installed bin and node on PATH; no NODE_PATH; a folder outside the repository.
    const childEnv = { PATH: `${path.join(prefix, "bin")}:${path.dirname(process.execPath)}`, ...emulator.env, ...env };
    execFile(bin, args, { cwd: work, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(path.join(CLI_PACKAGE_DIR, CLI_BUNDLE)))
    throw new Error(`${CLI_PACKAGE_DIR} is missing: run "npm run build" first`);
  work = mkdtempSync(path.join(tmpdir(), "afs-cli-package-"));
  prefix = path.join(work, "prefix");
  const [pack] = JSON.parse(
    execFileSync("npm", ["pack", CLI_PACKAGE_DIR, "--pack-destination", work, "--json"], {
      cwd: work,
      encoding: "utf8",
    }),
  ) as {
    filename: string;
    files: PackedFile[];
  }[];
  if (!pack) throw new Error("npm pack printed nothing");
  tarball = path.join(work, pack.filename);
  packed = pack.files.map((f) => f.path).sort();
  execFileSync("npm", ["install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], {
    cwd: work,
    stdio: "ignore",
  });
  emulator = await startEmulator({ tls: inject("localTls") });
  await emulator.admin.advanceTime(60_000); // agents report the seeded machines' identities
}, INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await emulator?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed CLI", () => {
  it("holds the bundle and its package.json only: no dependencies to install, no tests, no sources", () => {
    expect(packed).toEqual([CLI_BUNDLE, "package.json"]);
    const manifest = JSON.parse(readFileSync(path.join(CLI_PACKAGE_DIR, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest.bin).toEqual({ "afs-identity": CLI_BUNDLE });
    expect(manifest).not.toHaveProperty("dependencies");
    const bundle = readFileSync(path.join(CLI_PACKAGE_DIR, CLI_BUNDLE), "utf8");
    const locked = lockedInstalls(REPO_ROOT);
    expect([...bundledPackages(bundle)].filter((install) => locked.get(install)?.devOnly !== false)).toEqual([]);
    expect([...runtimeRequires(bundle)].filter((name) => !isNodeBuiltin(name))).toEqual([]);
  });

  it("installs globally as afs-identity and prints its usage", async () => {
    const result = await run(["--help"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("afs-identity plan");
  });

  it("plans against the emulator: a non-empty plan, nothing written, exit 2 (changes pending)", async () => {
    await emulator.admin.resetCalls();
    const result = await run(["plan", SSS_PROD, "--json"]);
    expect(result.code, result.stderr).toBe(2);
    const output = JSON.parse(result.stdout) as { reports: { serviceId: string; plan: unknown[] }[] };
    expect(output.reports.map((r) => r.serviceId.toLowerCase())).toEqual([SSS_PROD.toLowerCase()]);
    expect(output.reports[0]?.plan.length).toBeGreaterThan(0);
    expect((await emulator.admin.calls()).writes).toBe(0);
  });

  it("reads status from the app's tables in Azurite: a converged service recorded there, exit 0", async () => {
    const connectionString = inject("azuriteConnectionString");
    const tablePrefix = `clipkg${Date.now().toString(36)}`;
    const tables = createStoreTables({ connectionString }, tablePrefix);
    await ensureTables(tables);
    await updateServiceRow(tables.services, SSS_PROD, (s) => ({
      ...s,
      converged: true,
      lastRunStatus: "succeeded",
      counts: { ...emptyCounts(), Active: 2 },
    }));
    const result = await run(["status", "--tables", connectionString, "--table-prefix", tablePrefix, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { converged: boolean; services: { serviceId: string }[] };
    expect(output.converged).toBe(true);
    expect(output.services.map((s) => s.serviceId)).toEqual([SSS_PROD]);
  });
});
