#!/usr/bin/env node
/** afs-identity: the one-shot, cross-platform replacement for Set-AzStorageSyncServiceIdentity. */
import { EXIT } from "./exit-code";
import { runCli } from "./run";

// First Ctrl-C: nothing new starts, writes in flight finish and are reported. Second: stop at once.
const stop = new AbortController();
process.on("SIGINT", () => {
  if (!stop.signal.aborted) {
    process.stderr.write("\nStopping: letting writes in flight finish (Ctrl-C again to stop at once)...\n");
    stop.abort(new Error("interrupted"));
    return;
  }
  process.stderr.write("\nStopped at once: writes in flight may or may not have been applied; run again to see.\n");
  process.exit(EXIT.interrupted);
});

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stop: stop.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `afs-identity: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
