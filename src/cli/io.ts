/** The streams and environment the CLI runs with (process's in main.ts, captured ones in tests). */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Cancels requests in flight (a second Ctrl-C ends the process instead). */
  signal?: AbortSignal;
  /** The first Ctrl-C: nothing new starts, writes in flight finish, then the run reports and exits 130. */
  stop?: AbortSignal;
}
