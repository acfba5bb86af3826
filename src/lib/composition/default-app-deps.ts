import { loadConfig } from "../config";
import { bindEngine } from "./engine-binding";
import { createAppDeps, type AppDeps } from "./app-deps";
import { createCredential } from "../azure";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { createAzureMonitorTelemetry } from "../telemetry/azure-monitor";

let cached: Promise<AppDeps> | undefined;

/**
 * The composition root the functions use: settings from the environment,
 * one credential, one ARM connection, table and queue clients, built on first
 * use and shared by every invocation in this worker. A bad setting fails every
 * invocation with a message naming it; a failed start (storage unreachable) is
 * retried on the next invocation.
 */
export function getAppDeps(env: NodeJS.ProcessEnv = process.env): Promise<AppDeps> {
  if (!cached) {
    cached = build(env).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
  }
  return cached;
}

async function build(env: NodeJS.ProcessEnv): Promise<AppDeps> {
  const config = loadConfig(env);
  const credential = createCredential({ managedIdentityClientId: config.managedIdentityClientId });
  const storageCredential = config.storage.connectionString
    ? undefined
    : config.storage.clientId
      ? new ManagedIdentityCredential({ clientId: config.storage.clientId })
      : new DefaultAzureCredential();
  // Ingestion takes Entra tokens only (local auth is off), so the exporter uses the app's identity like ARM calls do.
  const telemetry = config.applicationInsightsConnectionString
    ? createAzureMonitorTelemetry({
        connectionString: config.applicationInsightsConnectionString,
        credential,
        onError: (message, error) => console.warn(message, error),
      })
    : undefined;
  return createAppDeps(config, { engine: bindEngine(config, credential), storageCredential, telemetry });
}
