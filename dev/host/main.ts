/**
 * Entry point of the local host as its own process:
 *   node --import tsx dev/host/main.ts [--project-dir DIR] [--port N] [--function-key KEY]
 * App settings come from the environment, over `local.settings.json`'s Values
 * when that file exists (as `func start` reads it). Host-only options may also
 * come from AFS_HOST_PORT, AFS_HOST_FUNCTION_KEY, AFS_HOST_QUEUE_LEASE_MS and
 * AFS_HOST_LOG (json | pretty), and the request limits AFS_HOST_MAX_REQUEST_BODY_BYTES,
 * AFS_HOST_MIN_REQUEST_BODY_RATE, AFS_HOST_REQUEST_BODY_GRACE_MS and
 * AFS_HOST_REQUEST_HEADERS_TIMEOUT_MS; AFS_HOST_QUEUES (JSON) overrides host.json's
 * extensions.queues fields. Once serving it logs an entry with `ready`.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { readHostJson } from "./host-json";
import { jsonLogger, prettyLogger } from "./logger";
import { startHost } from "./start-host";

function localSettings(projectDir: string): Record<string, string> {
  const file = path.join(projectDir, "local.settings.json");
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { Values?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(parsed.Values ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

function queueOverrides(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(`AFS_HOST_QUEUES must be a JSON object, got ${text}`);
  return parsed as Record<string, unknown>;
}

function optionalNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${text}"`);
  return value;
}

/**
 * A second Ctrl-C within this time of the first signal is the same stop (a double press, or the stack's SIGTERM); later
 * it forces.
 */
const FORCE_AFTER_MS = 2_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "project-dir": { type: "string" }, port: { type: "string" }, "function-key": { type: "string" } },
  });
  const projectDir = path.resolve(values["project-dir"] ?? process.cwd());
  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const logger =
    (process.env.AFS_HOST_LOG ?? (process.stdout.isTTY ? "pretty" : "json")) === "pretty"
      ? prettyLogger()
      : jsonLogger();
  const host = await startHost({
    projectDir,
    settings: { ...localSettings(projectDir), ...env },
    port: optionalNumber(values.port ?? process.env.AFS_HOST_PORT, "--port"),
    functionKey: values["function-key"] ?? (process.env.AFS_HOST_FUNCTION_KEY || undefined),
    queueMessageLeaseMs: optionalNumber(process.env.AFS_HOST_QUEUE_LEASE_MS, "AFS_HOST_QUEUE_LEASE_MS"),
    requestLimits: {
      maxBytes: optionalNumber(process.env.AFS_HOST_MAX_REQUEST_BODY_BYTES, "AFS_HOST_MAX_REQUEST_BODY_BYTES"),
      minBytesPerSecond: optionalNumber(process.env.AFS_HOST_MIN_REQUEST_BODY_RATE, "AFS_HOST_MIN_REQUEST_BODY_RATE"),
      gracePeriodMs: optionalNumber(process.env.AFS_HOST_REQUEST_BODY_GRACE_MS, "AFS_HOST_REQUEST_BODY_GRACE_MS"),
      headersTimeoutMs: optionalNumber(
        process.env.AFS_HOST_REQUEST_HEADERS_TIMEOUT_MS,
        "AFS_HOST_REQUEST_HEADERS_TIMEOUT_MS",
      ),
    },
    hostJson: readHostJson(projectDir, queueOverrides(process.env.AFS_HOST_QUEUES)),
    logger,
  });
  logger.write({
    time: new Date().toISOString(),
    level: "information",
    category: "host",
    message: `Host ready at ${host.url} (function key: ${host.functionKey})`,
    ready: {
      url: host.url,
      functionKey: host.functionKey,
      functions: host.functions.map((f) => ({ name: f.name, kind: f.kind })),
    },
  });

  // One shutdown however the signals arrive: Ctrl-C sends SIGINT to the whole
  // process group and `npm start` then sends SIGTERM too. Only a Ctrl-C pressed
  // again after a pause stops without waiting for in-flight invocations.
  let stoppingSince: number | undefined;
  const note = (level: "information" | "warning", message: string): void =>
    logger.write({ time: new Date().toISOString(), level, category: "host", message });
  const stop = (signal: NodeJS.Signals): void => {
    if (stoppingSince !== undefined) {
      if (signal === "SIGINT" && Date.now() - stoppingSince >= FORCE_AFTER_MS) {
        note("warning", `${signal} again: stopping now, abandoning ${host.inFlightCount()} in-flight invocation(s)`);
        process.exit(130);
      }
      note(
        "information",
        `${signal} received: already stopping, waiting for ${host.inFlightCount()} in-flight invocation(s) (Ctrl-C again to stop at once)`,
      );
      return;
    }
    stoppingSince = Date.now();
    note("information", `${signal} received`);
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
