import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");

export interface NpmStart {
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed so far. */
  output(): string;
  /** SIGINT (Ctrl-C), then its exit code. */
  stop(): Promise<number | null>;
}

/**
 * `npm start` (dev/start.ts on the built app) on a free port, once it says it
 * is running. `ownProcessGroup` makes it lead its own process group, as a
 * terminal's foreground job is, so a test can send the group a Ctrl-C.
 */
export async function startNpmStart(
  timeoutMs = 90_000,
  options: { ownProcessGroup?: boolean } = {},
): Promise<NpmStart> {
  const tsx = pathToFileURL(Module.createRequire(__filename).resolve("tsx")).href;
  const child = spawn(process.execPath, ["--import", tsx, path.join(PROJECT_DIR, "dev", "start.ts")], {
    cwd: PROJECT_DIR,
    env: { ...process.env, AFS_HOST_PORT: "0", NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.ownProcessGroup === true,
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes("press Ctrl-C") && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 200));
  if (!output.includes("press Ctrl-C")) {
    child.kill("SIGINT");
    throw new Error(`npm start did not come up within ${timeoutMs} ms:\n${output}`);
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}
