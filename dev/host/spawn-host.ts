import { spawn, type ChildProcess } from "node:child_process";
import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { LogEntry } from "./logger";

/**
 * Runs the local host as a child process (its own process.env, so its
 * settings never leak into the caller) and reads its JSON log lines.
 */

export interface SpawnHostOptions {
  projectDir: string;
  /** App settings and host options (AFS_HOST_*), added to baseEnv. */
  env: Record<string, string>;
  /** The environment the settings are added to; default this process's. */
  baseEnv?: NodeJS.ProcessEnv;
  port?: number;
  functionKey?: string;
  /** Called for every log entry (e.g. to tell a story or echo). */
  onLog?: (entry: LogEntry) => void;
  /** Output that is not a JSON log line (stderr, crashes). */
  onOutput?: (text: string) => void;
  readyTimeoutMs?: number;
}

export interface HostProcess {
  url: string;
  functionKey: string;
  pid: number;
  child: ChildProcess;
  /** Every log entry seen so far. */
  logs: LogEntry[];
  /** Resolves with the first entry (past or future) that matches. */
  waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs: number): Promise<LogEntry>;
  /** SIGTERM, wait for a clean exit (draining invocations); SIGKILL if it takes longer than timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
  /** Kills without draining (tests of crash recovery). */
  kill(): Promise<void>;
}

const HOST_MAIN = path.join(__dirname, "main.ts");

interface ReadyInfo {
  url: string;
  functionKey: string;
}

export async function spawnHost(options: SpawnHostOptions): Promise<HostProcess> {
  const tsxLoader = pathToFileURL(Module.createRequire(__filename).resolve("tsx")).href;
  const args = ["--import", tsxLoader, HOST_MAIN, "--project-dir", options.projectDir];
  if (options.port !== undefined) args.push("--port", String(options.port));
  const child = spawn(process.execPath, args, {
    cwd: options.projectDir,
    // The key goes in the environment, not argv, so it does not show in process listings.
    env: {
      ...(options.baseEnv ?? process.env),
      ...options.env,
      AFS_HOST_LOG: "json",
      ...(options.functionKey !== undefined ? { AFS_HOST_FUNCTION_KEY: options.functionKey } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogEntry[] = [];
  const waiters = new Set<{ predicate: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }>();
  let output = "";
  let pending = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      let entry: LogEntry | undefined;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        output += `${line}\n`;
        options.onOutput?.(`${line}\n`);
        continue;
      }
      logs.push(entry);
      options.onLog?.(entry);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(entry)) {
          waiters.delete(waiter);
          waiter.resolve(entry);
        }
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    options.onOutput?.(chunk.toString("utf8"));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const waitForLog = (predicate: (e: LogEntry) => boolean, timeoutMs: number): Promise<LogEntry> => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (e: LogEntry) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching host log within ${timeoutMs} ms; host output so far:\n${output.slice(-4000)}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  let ready: LogEntry;
  try {
    ready = await Promise.race([
      waitForLog((e) => typeof e.ready === "object" && e.ready !== null, options.readyTimeoutMs ?? 30_000),
      exited.then((code) => {
        throw new Error(`the host exited with code ${code} before it was ready:\n${output}`);
      }),
    ]);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    throw error;
  }
  const info = ready.ready as ReadyInfo;

  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await exited;
  };
  return {
    url: info.url,
    functionKey: info.functionKey,
    pid: child.pid ?? -1,
    child,
    logs,
    waitForLog,
    kill,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
