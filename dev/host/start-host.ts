import path from "node:path";
import { captureRegistrations, resolveMainFiles } from "./capture-registrations";
import { generateFunctionKey } from "./http/function-keys";
import { DEFAULT_REQUEST_LIMITS, startHttpServer, type RequestLimits } from "./http/http-server";
import type { HostFunction } from "./host-function";
import { runHooks } from "./hooks";
import { readHostJson, type HostJson } from "./host-json";
import { Invoker } from "./invocation";
import { jsonLogger, prettyLogger, scopedLog, type HostLogger } from "./logger";
import { QueueClients } from "./queue/queue-clients";
import { startQueueListener, type RunningQueueListener } from "./queue/queue-listener";
import { startTimer, type RunningTimer } from "./timer/timer-scheduler";
import { validateRegistrations } from "./validate-registrations";

export interface StartHostOptions {
  /** Folder with package.json (whose `main` names the built function files) and host.json. */
  projectDir: string;
  /**
   * App settings; applied to this process's environment before the app loads (the app reads them via
   * src/lib/config.ts).
   */
  settings: Record<string, string>;
  /** 0 or omitted → a free port. */
  port?: number;
  /** The key for authLevel function/admin routes and the Event Grid webhook; generated when omitted. */
  functionKey?: string;
  logger?: HostLogger;
  /** Invisibility of a received queue message while its function runs (renewed); default 10 min like the runtime. */
  queueMessageLeaseMs?: number;
  /** Request size and timing limits (defaults: DEFAULT_REQUEST_LIMITS, the real host's). */
  requestLimits?: Partial<RequestLimits>;
  /** Overrides host.json (tests). */
  hostJson?: HostJson;
}

export interface RunningHost {
  url: string;
  functionKey: string;
  functions: HostFunction[];
  /** Invocations running now. */
  inFlightCount(): number;
  /** Stops HTTP, queue polling and timers, and waits for in-flight invocations. */
  close(): Promise<void>;
}

const DEFAULT_MESSAGE_LEASE_MS = 10 * 60_000;

/** The options actually given, so an unset one keeps its default instead of becoming undefined. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter((e) => e[1] !== undefined)) as Partial<T>;
}

/** Runs an app's functions the way the Azure Functions host would, against the storage and settings given. */
export async function startHost(options: StartHostOptions): Promise<RunningHost> {
  const logger = options.logger ?? (process.stdout.isTTY ? prettyLogger() : jsonLogger());
  const log = scopedLog(logger, { category: "host" });
  const projectDir = path.resolve(options.projectDir);
  Object.assign(process.env, options.settings);
  const settings = { ...process.env };

  const hostJson = options.hostJson ?? readHostJson(projectDir);
  const functions = validateRegistrations(captureRegistrations(resolveMainFiles(projectDir)), settings);
  // appStart hooks run before anything is served; one that throws stops the host, as it stops the worker.
  const appHookData: Record<string, unknown> = {};
  try {
    await runHooks("appStart", { hookData: appHookData, appHookData, functionAppDirectory: projectDir });
  } catch (error) {
    throw new Error(
      `an appStart hook of the app failed; the host will not start: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const functionKey = options.functionKey ?? generateFunctionKey();
  const queues = new QueueClients(settings);
  const invoker = new Invoker(logger, queues, hostJson.queues.messageEncoding);

  const http = await startHttpServer(
    {
      functions,
      functionKey,
      invoker,
      log,
      limits: { ...DEFAULT_REQUEST_LIMITS, ...definedOnly(options.requestLimits ?? {}) },
    },
    options.port ?? 0,
  );
  for (const fn of functions) {
    const where =
      fn.kind === "http"
        ? `${fn.methods.join(",")} ${http.url}/api/${fn.route} [${fn.authLevel}]`
        : fn.kind === "eventGrid"
          ? `${http.url}/runtime/webhooks/eventgrid?functionName=${fn.name}`
          : fn.kind === "queue"
            ? `queue ${fn.queueName}`
            : `timer ${fn.schedule}${fn.runOnStartup ? " (runOnStartup)" : ""}`;
    log("information", `${fn.name}: ${where}`, { functionName: fn.name, trigger: fn.kind });
  }

  const listeners: RunningQueueListener[] = functions
    .filter((fn) => fn.kind === "queue")
    .map((fn) =>
      startQueueListener({
        fn,
        queues,
        invoker,
        options: hostJson.queues,
        log,
        messageLeaseMs: options.queueMessageLeaseMs ?? DEFAULT_MESSAGE_LEASE_MS,
      }),
    );
  const timers: RunningTimer[] = functions
    .filter((fn) => fn.kind === "timer")
    .map((fn) => startTimer(fn, invoker, log));
  log("information", `Host started with ${functions.length} function(s) at ${http.url}`, { url: http.url });

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    functionKey,
    functions,
    inFlightCount: () => invoker.inFlightCount,
    close: () =>
      (closing ??= (async () => {
        log("information", `Host stopping: draining ${invoker.inFlightCount} in-flight invocation(s)`);
        // No new work: the listening socket closes first (requests being served finish), then polling and timers stop.
        const httpClosed = http.close();
        await Promise.all([...listeners.map((l) => l.stop()), ...timers.map((t) => t.stop())]);
        await invoker.drain();
        await httpClosed;
        await runHooks("appTerminate", { hookData: appHookData, appHookData }).catch((error: unknown) =>
          log("warning", `an appTerminate hook failed: ${error instanceof Error ? error.message : String(error)}`),
        );
        log("information", "Host stopped");
      })()),
  };
}
