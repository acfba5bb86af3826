/** The streams and environment the CLI runs with (process's in main.ts, captured ones in tests). */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}
