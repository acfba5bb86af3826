import { PassThrough } from "node:stream";
import { runCli } from "../../../src/cli/run";
import type { CliIo } from "../../../src/cli/io";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as a terminal would, and collects what it printed on each stream. */
export async function runCliCaptured(
  argv: string[],
  io: Pick<CliIo, "env"> & Partial<Pick<CliIo, "stdin">>,
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  const code = await runCli(argv, { env: io.env, stdin: io.stdin ?? new PassThrough(), stdout, stderr });
  return { code, stdout: out.join(""), stderr: err.join("") };
}
