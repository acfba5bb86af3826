#!/usr/bin/env node
/** afs-identity: the one-shot, cross-platform replacement for Set-AzStorageSyncServiceIdentity. */
import { runCli } from "./run";

const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted")));

runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: abort.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`afs-identity: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
