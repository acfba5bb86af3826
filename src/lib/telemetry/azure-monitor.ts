import type { TokenCredential } from "@azure/core-auth";
import { AzureMonitorLogExporter, type AzureMonitorExporterOptions } from "@azure/monitor-opentelemetry-exporter";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import type { TelemetryEvent } from "./events";
import type { Telemetry } from "./telemetry";

/**
 * The exporter turns a log record carrying this attribute into an Application
 * Insights custom event (customEvents) instead of a trace message; the other
 * attributes become customDimensions and the body's `measurements`
 * customMeasurements (@azure/monitor-opentelemetry-exporter, utils/logUtils).
 */
const CUSTOM_EVENT_NAME = "microsoft.custom_event.name";

const FLUSH_TIMEOUT_MS = 10_000;

export interface AzureMonitorTelemetryOptions {
  connectionString: string;
  /**
   * Entra credential for ingestion: the Application Insights resource accepts
   * only Entra tokens (local authentication is disabled), which the app's
   * identity gets through Monitoring Metrics Publisher.
   */
  credential?: TokenCredential;
  /** Passed to the exporter as is (tests: tlsOptions for a local endpoint, disableOfflineStorage). */
  exporterOptions?: Omit<AzureMonitorExporterOptions, "connectionString" | "credential">;
  onError?: (message: string, error: unknown) => void;
}

export interface AzureMonitorTelemetry extends Telemetry {
  shutdown(): Promise<void>;
}

/** OpenTelemetry logs → the Azure Monitor exporter → Application Insights customEvents; no HTTP of our own. */
export function createAzureMonitorTelemetry(options: AzureMonitorTelemetryOptions): AzureMonitorTelemetry {
  const exporter = new AzureMonitorLogExporter({
    ...options.exporterOptions,
    connectionString: options.connectionString,
    credential: options.credential,
  });
  // Bounded so that an unreachable ingestion endpoint delays an invocation by seconds, not the SDK's default 30 s.
  const provider = new LoggerProvider({
    forceFlushTimeoutMillis: FLUSH_TIMEOUT_MS,
    processors: [new BatchLogRecordProcessor(exporter, { exportTimeoutMillis: FLUSH_TIMEOUT_MS })],
  });
  const logger = provider.getLogger("afs-identity-reconciler");
  const report = options.onError ?? (() => undefined);
  return {
    emit(event: TelemetryEvent) {
      try {
        logger.emit({
          severityNumber: SeverityNumber.INFO,
          body: { measurements: event.measurements },
          attributes: { ...event.properties, [CUSTOM_EVENT_NAME]: event.name },
        });
      } catch (error) {
        report(`could not record telemetry event ${event.name}`, error);
      }
    },
    async flush() {
      await provider.forceFlush().catch((error: unknown) => report("could not send telemetry", error));
    },
    async shutdown() {
      await provider.shutdown().catch((error: unknown) => report("could not shut telemetry down", error));
    },
  };
}
