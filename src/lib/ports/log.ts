/** The logging the app's logic needs; functions pass the InvocationContext's. */
export interface AppLog {
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const silentLog: AppLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
