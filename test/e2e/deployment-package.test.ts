import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppApiClient, RunStatus } from "../../dev/host/app-api-client";
import type { LocalStack } from "../../dev/host/local-stack";
import type { LogEntry } from "../../dev/host/logger";
import { dependenciesUpToDate, packageLikeAzd, type AzdPackage } from "../../dev/package/azd-package";
import { APP_BUNDLE, APP_CHUNKS, appEntryModules, REPO_ROOT, WORKER_PROVIDED } from "../../dev/package/bundle";
import {
  bundledPackages,
  bundleText,
  isNodeBuiltin,
  lockedInstalls,
  packageName,
  runtimeRequires,
  unzipInto,
} from "../../dev/package/package-contents";
import { E2E_TEST_TIMEOUT_MS, eventually, startE2EStack } from "./support/e2e-stack";
import { copyProject } from "./support/project-copy";
import { SSS_PROD } from "./support/seeds";

/**
 * The package `azd deploy` uploads, made as azd makes it (dev/package/azd-package.ts
 * follows azure-dev's framework_service_node.go, service_target_functionapp.go,
 * project_utils.go and rzip/rzip.go) in a copy of the project, then unpacked into an empty folder outside
 * the repository, where no node_modules can be reached, and run by the local
 * Functions host against Azurite and the emulator.
 */

const BUILD_TIMEOUT_MS = 240_000;
const FUNCTION_COUNT = appEntryModules().length - 1;

let project: string;
let output: string;
let unpacked: string;
let pkg: AzdPackage;
let files: string[];
let bundle: string;

beforeAll(() => {
  project = copyProject(REPO_ROOT);
  output = mkdtempSync(path.join(tmpdir(), "afs-azd-package-"));
  unpacked = mkdtempSync(path.join(tmpdir(), "afs-unpacked-"));
  // azd would skip its npm install; were it to run, it would write the repository's linked node_modules.
  if (!dependenciesUpToDate(project)) throw new Error("node_modules is older than package-lock.json: run npm ci first");
  pkg = packageLikeAzd({ projectRoot: project, outputPath: output, stdio: "ignore" });
  files = unzipInto(pkg.zipPath, unpacked);
  bundle = bundleText(unpacked);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  for (const dir of [project, output, unpacked]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the package azd builds", () => {
  it("is built locally and holds the bundle and its chunks, host.json and a package.json naming the bundle, nothing else", () => {
    expect(pkg.remoteBuild).toBe(false);
    const chunks = files.filter((f) => f.startsWith(`${APP_CHUNKS}/`));
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((f) => /^[^/]+\/[\w-]+\.mjs$/.test(f))).toBe(true);
    expect(files.filter((f) => !chunks.includes(f)).sort()).toEqual([APP_BUNDLE, "host.json", "package.json"]);
    const manifest = JSON.parse(readFileSync(path.join(unpacked, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.main).toBe(APP_BUNDLE);
    expect(manifest).not.toHaveProperty("dependencies");
    expect(manifest).not.toHaveProperty("devDependencies");
    expect(readFileSync(path.join(unpacked, "host.json"), "utf8")).toBe(
      readFileSync(path.join(REPO_ROOT, "host.json"), "utf8"),
    );
  });

  it("carries production dependencies only: every bundled package is outside package-lock's dev-only set", () => {
    const installs = bundledPackages(bundle);
    const locked = lockedInstalls(REPO_ROOT);
    expect(installs.size).toBeGreaterThan(10);
    expect([...installs].filter((install) => locked.get(install)?.devOnly !== false)).toEqual([]);
    const names = new Set([...installs].map(packageName));
    for (const tool of ["vitest", "azurite", "typescript", "playwright-core", "esbuild", "eslint"])
      expect(names.has(tool), tool).toBe(false);
  });

  it("needs nothing at run time but Node's own modules and the one the Functions worker provides", () => {
    const needed = [...runtimeRequires(bundle)].filter((name) => !isNodeBuiltin(name));
    expect(needed).toEqual(WORKER_PROVIDED);
  });

  it("bundles every module the worker loads: index.ts and each function module", () => {
    for (const file of appEntryModules()) expect(bundle, file).toContain(`// ${file}\n`);
  });
});

describe("the unpacked package, run by the local Functions host", () => {
  let stack: LocalStack;
  let api: AppApiClient;
  let logs: LogEntry[];
  const failures = () =>
    logs
      .filter((e) => e.level === "error" || e.level === "critical")
      .map((e) => e.message)
      .join("\n");

  beforeAll(async () => {
    // Nothing above the unpacked folder may supply a module the package lacks.
    for (let dir = unpacked; ; dir = path.dirname(dir)) {
      expect(existsSync(path.join(dir, "node_modules")), dir).toBe(false);
      if (path.dirname(dir) === dir) break;
    }
    ({ stack, api } = await startE2EStack("package", {
      projectDir: unpacked,
      appSettings: { FULL_SWEEP_SCHEDULE: "*/10 * * * * *" },
    }));
    logs = stack.host.logs;
  }, E2E_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, E2E_TEST_TIMEOUT_MS);

  it(
    `indexes all ${FUNCTION_COUNT} functions with their triggers, after appStart passed`,
    () => {
      const indexed = logs.filter(
        (e) => e.category === "host" && typeof e.functionName === "string" && typeof e.trigger === "string",
      );
      expect(indexed.map((e) => e.functionName).sort()).toEqual(
        appEntryModules()
          .slice(1)
          .map((f) => path.basename(f, ".ts"))
          .sort(),
      );
      const triggers = Object.fromEntries(indexed.map((e) => [e.functionName, e.trigger]));
      expect(triggers).toMatchObject({
        reconcileWorker: "queue",
        armEvents: "eventGrid",
        fullSweep: "timer",
        activationCheck: "timer",
        reconcileHttp: "http",
      });
      // The host starts only once every appStart hook passed (dev/host/start-host.ts).
      expect(logs.some((e) => e.message.startsWith(`Host started with ${FUNCTION_COUNT} function(s)`))).toBe(true);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "reconciles a service through the queue against the emulator, and every function runs without failing",
    async () => {
      const accepted = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_PROD });
      expect(accepted.status, failures()).toBe(202);
      const run = await eventually("the run to finish", async () => {
        const r = await api.get<RunStatus>(`/runs/${accepted.body.runs[0]?.runId}`);
        return r.status === 200 && ["succeeded", "completedWithFailures"].includes(r.body.status) ? r.body : undefined;
      });
      expect(run.status).toBe("succeeded");
      for (const route of [
        "/services",
        `/service?id=${encodeURIComponent(SSS_PROD)}`,
        "/servers?state=Switched",
        "/openapi.json",
      ]) {
        expect((await api.get(route)).status, route).toBe(200);
      }
      const page = await fetch(`${stack.apiUrl}/page?code=${encodeURIComponent(stack.functionKey)}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("sss-prod");
      const style = await fetch(`${stack.apiUrl}/page-assets/style.css`);
      expect(style.status).toBe(200);
      // reconcilePoison runs on what the host moves to <queue>-poison: a late copy of the finished run's message,
      // which it acknowledges as already over.
      const poison = new QueueClient(stack.connectionString, `${stack.appSettings.RECONCILE_QUEUE_NAME}-poison`);
      await poison.createIfNotExists();
      const lateCopy = {
        v: 1,
        kind: "reconcile",
        serviceId: SSS_PROD,
        runId: run.runId,
        dryRun: false,
        trigger: { kind: "http", caller: "function key holder" },
        requestedAt: new Date().toISOString(),
      };
      await poison.sendMessage(Buffer.from(JSON.stringify(lateCopy)).toString("base64"));
      const succeeded = (name: string) =>
        logs.some((e) => e.message.startsWith(`Executed 'Functions.${name}' (Succeeded`));
      const all = appEntryModules()
        .slice(1)
        .map((f) => path.basename(f, ".ts"));
      await eventually("every function to have run", async () => (all.every(succeeded) ? true : undefined), 60_000);
      expect(logs.filter((e) => e.message.includes("(Failed,")).map((e) => e.message)).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
