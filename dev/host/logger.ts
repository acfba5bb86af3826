import { format } from "node:util";

/** Log levels as the Functions runtime names them (InvocationContext.log maps onto these). */
export type LogLevel = "trace" | "debug" | "information" | "warning" | "error" | "critical";

/** One structured log record: the host's own ("host") or written by a function ("function"). */
export interface LogEntry {
  time: string;
  level: LogLevel;
  category: "host" | "function";
  message: string;
  functionName?: string;
  invocationId?: string;
  [field: string]: unknown;
}

export interface HostLogger {
  write(entry: LogEntry): void;
}

/** One JSON object per line: what a parent process (npm start, e2e tests) parses. */
export function jsonLogger(out: NodeJS.WritableStream = process.stdout): HostLogger {
  return { write: (entry) => void out.write(`${JSON.stringify(entry)}\n`) };
}

const LEVEL_TAG: Record<LogLevel, string> = {
  trace: "TRC",
  debug: "DBG",
  information: "INF",
  warning: "WRN",
  error: "ERR",
  critical: "CRT",
};

/** Human-readable lines for a terminal. */
export function prettyLogger(out: NodeJS.WritableStream = process.stdout): HostLogger {
  return {
    write: ({ time, level, category, message, functionName, invocationId, ...rest }) => {
      const who = functionName ? `Functions.${functionName}` : category;
      const id = invocationId ? ` (${invocationId.slice(0, 8)})` : "";
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
      out.write(`${time.slice(11, 23)} ${LEVEL_TAG[level]} ${who}${id}: ${message}${extra}\n`);
    },
  };
}

/** Collects entries in memory (tests) while optionally forwarding them. */
export function memoryLogger(forward?: HostLogger): HostLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    write: (entry) => {
      entries.push(entry);
      forward?.write(entry);
    },
  };
}

/** A logger bound to a category, function and invocation, with printf-style formatting like console.log. */
export interface ScopedLog {
  (level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function scopedLog(
  logger: HostLogger,
  scope: Pick<LogEntry, "category" | "functionName" | "invocationId">,
): ScopedLog {
  return (level, message, fields) =>
    logger.write({ ...fields, ...scope, time: new Date().toISOString(), level, message });
}

/** Formats InvocationContext.log(...args) the way the worker does (util.format). */
export function formatLogArgs(args: unknown[]): string {
  return format(...args);
}
