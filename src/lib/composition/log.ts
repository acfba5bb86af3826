import type { AppLog } from "../ports/log";

/** The InvocationContext's logging as the AppLog the handlers take. */
export function logFromContext(context: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}): AppLog {
  return {
    info: (m, ...d) => context.log(m, ...d),
    warn: (m, ...d) => context.warn(m, ...d),
    error: (m, ...d) => context.error(m, ...d),
  };
}
