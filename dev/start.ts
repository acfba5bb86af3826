/**
 * `npm start`: the whole product on this machine — Azurite, the emulated Azure
 * control plane seeded with dev/seeds/demo.json, and the local Functions host
 * running the built app — then a short live story: a server registers, the
 * event arrives, the reconcile grants and switches, the agent picks the
 * identity up, the status API says Active. Runs until Ctrl-C.
 *
 * AFS_TARGET=azure runs only Azurite and the host, against the ARM endpoint
 * and credentials in your environment (see docs/development/local-stack.md).
 */
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import path from "node:path";
import { DEFAULT_SEED_PATH, ids, type SeedInput } from "./emulator";
import { writeEnvFile } from "./emulator/env-file";
import { startAzurite } from "./azurite/start-azurite";
import { startLocalStack, PROJECT_DIR, type LocalStack } from "./host/local-stack";
import type { LogEntry } from "./host/logger";
import { superviseHost, type HostSupervisor } from "./host/host-supervisor";
import { spawnHost, type HostProcess } from "./host/spawn-host";
import { runDemoStory } from "./host/demo-story";
import { terminal } from "./host/terminal";

const AZURITE_DIR = path.join(PROJECT_DIR, ".local", "azurite");

/** The demo seed plus the machine of the server the story registers (an Arc machine with its identity). */
function demoSeed(): SeedInput {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
  const arcGroup = seed.subscriptions[0]?.resourceGroups?.find((g) => g.name === "rg-arc");
  if (!arcGroup) throw new Error(`${DEFAULT_SEED_PATH} has no resource group rg-arc for the story's machine`);
  arcGroup.arcMachines = [
    ...(arcGroup.arcMachines ?? []),
    { name: "fs06", hostName: "fs06.contoso.local", identity: {} },
  ];
  return seed;
}

/** Timer functions log every few seconds in the demo; their routine lines would drown the story. */
const timerFunctions = new Set<string>();
const HOST_LOG = path.join(PROJECT_DIR, ".local", "host.log");
/** The running emulator's settings, so the CLI (or curl) can be pointed at the same emulated Azure. */
const EMULATOR_ENV = path.join(PROJECT_DIR, ".local", "emulator.env");
let hostLog: WriteStream | undefined;
/**
 * How long Ctrl-C waits for the host to finish its in-flight invocations (a
 * reconcile of a large service takes minutes) before killing it; a second
 * Ctrl-C stops at once.
 */
const HOST_DRAIN_TIMEOUT_MS = 10 * 60_000;
/** A second Ctrl-C sooner than this after the first is the same request to stop. */
const FORCE_AFTER_MS = 2_000;

/**
 * `/subscriptions/…/providers/Microsoft.X/` → `…/`: the terminal shows the resource's type and name, the log file
 * everything.
 */
function shortenIds(text: string): string {
  return text.replace(/\/subscriptions\/[^\s]*?\/providers\/Microsoft\.\w+\//gi, "…/");
}

/**
 * The terminal gets what the app itself says (its context.log lines) and any
 * failure; routine lines (timer ticks, ignored events about the product's own
 * writes) and the host's per-invocation lines go to .local/host.log only.
 */
function echoAppLog(entry: LogEntry): void {
  hostLog?.write(`${JSON.stringify(entry)}\n`);
  const ready = entry.ready as { functions?: { name: string; kind: string }[] } | undefined;
  for (const fn of ready?.functions ?? []) if (fn.kind === "timer") timerFunctions.add(fn.name);
  if (entry.category === "function") {
    const routine =
      entry.level === "information" &&
      (timerFunctions.has(entry.functionName ?? "") || entry.message.startsWith("ARM event ignored"));
    if (!routine && (entry.level === "information" || entry.level === "warning" || entry.level === "error")) {
      terminal.app(entry.functionName ?? "app", shortenIds(entry.message), entry.level);
    }
  } else if (entry.level === "error" || entry.level === "warning") {
    terminal.app("host", shortenIds(entry.message), entry.level);
  }
}

async function startAgainstEmulator(): Promise<LocalStack> {
  // Azurite in memory: the emulator's state is in memory too, and status tables must not outlive the tenant they
  // describe.
  terminal.stack(
    `starting Azurite (in memory), the Azure emulator (${path.relative(PROJECT_DIR, DEFAULT_SEED_PATH)}) and the Functions host …`,
  );
  return startLocalStack({
    azurite: { ownProcessGroup: true },
    hostDrainTimeoutMs: HOST_DRAIN_TIMEOUT_MS,
    emulator: {
      seed: demoSeed(),
      // Demo delays: the agent discovers identities after 1 s and picks up a switch after 4 s.
      delays: {
        discoveryMs: 1_000,
        activationMs: 4_000,
        principalReplicationMs: 1_000,
        lroMs: 200,
        retryAfterSeconds: 0,
      },
    },
    appSettings: { RECONCILE_QUEUE_NAME: "reconcile", TABLE_NAME_PREFIX: "afsIdentity" },
    hostPort: Number(process.env.AFS_HOST_PORT ?? 7071),
    functionKey: process.env.AFS_HOST_FUNCTION_KEY || undefined,
    queueMessageLeaseMs: 60_000,
    onLog: echoAppLog,
    onOutput: (text) => process.stderr.write(text),
  });
}

/** Real Azure: the host alone with the user's settings; the emulator is not started. */
async function startAgainstAzure(stopList: (() => Promise<void>)[]): Promise<HostProcess> {
  if (!process.env.MANAGED_SCOPES)
    throw new Error("AFS_TARGET=azure needs MANAGED_SCOPES (and your Azure credentials) in the environment");
  let connectionString = process.env.AzureWebJobsStorage;
  if (!connectionString && !process.env.AzureWebJobsStorage__queueServiceUri) {
    const azurite = await startAzurite({ location: AZURITE_DIR, ownProcessGroup: true });
    stopList.push(() => azurite.stop());
    connectionString = azurite.connectionString;
  }
  const host = await spawnHost({
    projectDir: PROJECT_DIR,
    env: {
      RECONCILE_QUEUE_NAME: "reconcile",
      ACTIVATION_CHECK_SCHEDULE: "0 */5 * * * *",
      FULL_SWEEP_SCHEDULE: "0 30 2 * * *",
      ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === "string")),
      ...(connectionString ? { AzureWebJobsStorage: connectionString } : {}),
    },
    port: Number(process.env.AFS_HOST_PORT ?? 7071),
    functionKey: process.env.AFS_HOST_FUNCTION_KEY || undefined,
    onLog: echoAppLog,
    onOutput: (text) => process.stderr.write(text),
  });
  stopList.push(() => host.stop(HOST_DRAIN_TIMEOUT_MS));
  return host;
}

function printTryUrls(apiUrl: string, key: string, serviceId?: string): void {
  terminal.plain("");
  terminal.try(`status page: ${apiUrl}/page?code=${key}`);
  terminal.try(`function key: ${key}`);
  terminal.try(`curl -s -H "x-functions-key: ${key}" ${apiUrl}/services`);
  if (serviceId) terminal.try(`curl -s -H "x-functions-key: ${key}" "${apiUrl}/service?id=${serviceId}"`);
  terminal.try(`curl -s "${apiUrl}/servers?state=Active&code=${key}"`);
  terminal.try(`curl -s -X POST -H "x-functions-key: ${key}" -d '{"all":true}' ${apiUrl}/reconcile`);
  terminal.try(`curl -s -H "x-functions-key: ${key}" ${apiUrl}/openapi.json`);
  terminal.plain("");
  terminal.stack("running; press Ctrl-C to stop everything");
}

/**
 * Restarts a host that crashed, saying so; stops the stack when the host stopped by itself or cannot be started again.
 */
function keepHostRunning(stack: LocalStack, shutdown: (code: number) => Promise<void>): HostSupervisor {
  return superviseHost(stack.host, () => stack.restartHost(), {
    crashed: ({ exit, ranMs, delayMs, restart }) =>
      terminal.app(
        "stack",
        `the Functions host died (${exit}) after ${Math.round(ranMs / 1000)} s; ${delayMs > 0 ? `restarting it in ${delayMs / 1000} s (it keeps crashing)` : "restarting it"} (restart ${restart}); Azurite and the emulator keep their state`,
        "error",
      ),
    restarted: (host, restart) =>
      terminal.stack(`Functions host restarted  ${host.url}  (pid ${host.pid}, restart ${restart}; same key)`),
    stoppedByItself: () => {
      terminal.app("stack", "the Functions host stopped (exit code 0); stopping", "warning");
      void shutdown(0);
    },
    gaveUp: (error) => {
      terminal.app("stack", `the Functions host cannot be started again: ${error.message}`, "error");
      void shutdown(1);
    },
  });
}

async function main(): Promise<void> {
  const stopList: (() => Promise<void>)[] = [];
  let stoppingSince: number | undefined;
  let supervisor: HostSupervisor | undefined;
  let stack: LocalStack | undefined;
  const shutdown = async (code: number): Promise<void> => {
    if (stoppingSince !== undefined) return;
    stoppingSince = Date.now();
    const stopping = supervisor?.stop();
    terminal.stack(
      "stopping the host (after in-flight invocations; Ctrl-C again to stop at once) and the local services …",
    );
    await stopping;
    for (const stop of stopList.reverse())
      await stop().catch((e: unknown) => terminal.app("stack", String(e), "error"));
    terminal.stack("stopped");
    process.exit(code);
  };
  // Ctrl-C reaches this process and the host (one process group); the host drains by itself and the
  // stack's own stop sends it SIGTERM, which it treats as the same request. Only a later Ctrl-C forces.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stoppingSince === undefined) return void shutdown(0);
    if (signal === "SIGINT" && Date.now() - stoppingSince >= FORCE_AFTER_MS && stack) {
      terminal.app("stack", "Ctrl-C again: stopping the host without waiting for its invocations", "warning");
      void stack.host.kill();
    }
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  mkdirSync(path.dirname(HOST_LOG), { recursive: true });
  hostLog = createWriteStream(HOST_LOG, { flags: "w" });
  stopList.push(() => new Promise<void>((resolve) => hostLog?.end(resolve) ?? resolve()));
  try {
    if (process.env.AFS_TARGET === "azure") {
      const host = await startAgainstAzure(stopList);
      terminal.stack(
        `host at ${host.url} against ${process.env.ARM_ENDPOINT ?? "https://management.azure.com"} (scopes ${process.env.MANAGED_SCOPES})`,
      );
      printTryUrls(`${host.url}/api`, host.functionKey);
      return;
    }
    const started = await startAgainstEmulator();
    stack = started;
    stopList.push(() => started.stop());
    if (stoppingSince !== undefined) return void (await started.stop()); // Ctrl-C while it was starting
    supervisor = keepHostRunning(started, shutdown);
    writeEnvFile(EMULATOR_ENV, started.emulator.env);
    terminal.stack(
      `Azure emulator  ${started.emulator.armEndpoint}  (admin API ${started.emulator.adminUrl}; settings for the CLI and curl: ${path.relative(PROJECT_DIR, EMULATOR_ENV)})`,
    );
    terminal.stack(
      `Functions host  ${started.host.url}  (pid ${started.host.pid}; Event Grid webhook registered with the emulator; full log: ${path.relative(PROJECT_DIR, HOST_LOG)})`,
    );
    const serviceId = ids.storageSyncService("11111111-1111-4111-8111-111111111111", "rg-filesync", "sss-prod");
    await runDemoStory({
      stack: started,
      serviceId,
      serverName: "fs06.contoso.local",
      machineId: ids.arcMachine("11111111-1111-4111-8111-111111111111", "rg-arc", "fs06"),
    });
    printTryUrls(started.apiUrl, started.functionKey, serviceId);
  } catch (error) {
    terminal.app("stack", error instanceof Error ? error.message : String(error), "error");
    await shutdown(1);
  }
}

void main();
