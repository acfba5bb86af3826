import type { TelemetryEvent } from "./events";

/**
 * Where the app's telemetry goes. `emit` only buffers and never throws;
 * `flush` sends what is buffered and never rejects: telemetry must not fail a
 * run, and a Functions worker may be frozen as soon as an invocation returns,
 * so each entry point flushes before it does.
 */
export interface Telemetry {
  emit(event: TelemetryEvent): void;
  flush(): Promise<void>;
}

/** Telemetry off: the default when APPLICATIONINSIGHTS_CONNECTION_STRING is not set (locally, in tests). */
export const noTelemetry: Telemetry = {
  emit: () => undefined,
  flush: () => Promise.resolve(),
};
