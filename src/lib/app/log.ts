/** The logging the app's logic needs; functions pass the InvocationContext's. */
export interface AppLog {
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const silentLog: AppLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

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
