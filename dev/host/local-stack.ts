import path from "node:path";
import { startAzurite, type AzuriteHandle } from "../azurite/start-azurite";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../emulator";
import type { LogEntry } from "./logger";
import { spawnHost, type HostProcess } from "./spawn-host";

/**
 * The whole product on one machine: Azurite, the emulated control plane and
 * the local Functions host running the built app as a child process, its
 * Event Grid webhook registered with the emulator. Used by `npm start` and the
 * end-to-end tests.
 */

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * Environment variables that would make DefaultAzureCredential prefer something other than the emulator's identity
 * endpoint.
 */
const FOREIGN_CREDENTIAL_VARS = [
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_USERNAME",
  "AZURE_PASSWORD",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "IMDS_ENDPOINT",
];

export interface LocalStackOptions {
  /** An Azurite already running (tests share one); otherwise one is started with these options. */
  azurite?: { connectionString: string } | { location?: string; ownProcessGroup?: boolean };
  emulator?: EmulatorOptions;
  /** App settings over the stack's defaults (see stackAppSettings). */
  appSettings?: Record<string, string>;
  /** Overrides of host.json's extensions.queues for the host. */
  hostQueues?: Record<string, unknown>;
  /** Lease of a received queue message while it runs (short in tests so a killed host's message reappears soon). */
  queueMessageLeaseMs?: number;
  hostPort?: number;
  functionKey?: string;
  /** How long stop() waits for the host to drain its in-flight invocations before killing it (default 15 s). */
  hostDrainTimeoutMs?: number;
  onLog?: (entry: LogEntry) => void;
  onOutput?: (text: string) => void;
  projectDir?: string;
}

export interface LocalStack {
  connectionString: string;
  emulator: EmulatorHandle;
  host: HostProcess;
  appSettings: Record<string, string>;
  /** The Event Grid function's webhook, as registered with the emulator. */
  webhookUrl: string;
  /** `{host}/api` */
  apiUrl: string;
  functionKey: string;
  /**
   * Starts the host again (same port, key and settings) after it stopped or was killed; Azurite and the emulator keep
   * their state.
   */
  restartHost(): Promise<HostProcess>;
  stop(): Promise<void>;
}

/** Short delays and a unique queue/table namespace, so a run shows its whole story in seconds. */
export function stackAppSettings(
  connectionString: string,
  emulator: EmulatorHandle,
  namespace = "local",
): Record<string, string> {
  const letters = namespace.replace(/[^a-z0-9]/gi, "").toLowerCase() || "local";
  return {
    FUNCTIONS_WORKER_RUNTIME: "node",
    AzureWebJobsStorage: connectionString,
    ...emulator.env,
    RECONCILE_QUEUE_NAME: `reconcile-${letters}`.slice(0, 57),
    TABLE_NAME_PREFIX: `afs${letters}`.slice(0, 41),
    ACTIVATION_WINDOW: "PT5S",
    ACTIVATION_CHECK_SCHEDULE: "*/2 * * * * *",
    FULL_SWEEP_SCHEDULE: "0 0 3 * * *",
    RECONCILE_COALESCE_DELAY: "PT1S",
    DISCOVERY_RECHECK_DELAYS: "PT2S,PT4S,PT8S,PT15S",
    PRINCIPAL_NOT_FOUND_BASE_DELAY: "PT0.2S",
    LEASE_DURATION: "PT8S",
  };
}

/** The environment without credentials DefaultAzureCredential would prefer over the emulator's identity endpoint. */
export function withoutForeignCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of FOREIGN_CREDENTIAL_VARS) delete copy[name];
  return copy;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const projectDir = options.projectDir ?? PROJECT_DIR;
  let ownAzurite: AzuriteHandle | undefined;
  let emulator: EmulatorHandle | undefined;
  try {
    const given = options.azurite;
    if (given && "connectionString" in given) {
      // shared Azurite: nothing to start
    } else {
      ownAzurite = await startAzurite({ location: given?.location, ownProcessGroup: given?.ownProcessGroup });
    }
    const connectionString =
      given && "connectionString" in given ? given.connectionString : (ownAzurite?.connectionString ?? "");
    emulator = await startEmulator(options.emulator ?? {});
    const appSettings = { ...stackAppSettings(connectionString, emulator), ...options.appSettings };
    const hostEnv: Record<string, string> = { ...appSettings };
    if (options.hostQueues) hostEnv.AFS_HOST_QUEUES = JSON.stringify(options.hostQueues);
    if (options.queueMessageLeaseMs !== undefined)
      hostEnv.AFS_HOST_QUEUE_LEASE_MS = String(options.queueMessageLeaseMs);
    const baseEnv = withoutForeignCredentials(process.env);

    const spawnOnce = (port: number | undefined, functionKey: string | undefined) =>
      spawnHost({
        projectDir,
        env: hostEnv,
        baseEnv,
        port,
        functionKey,
        onLog: options.onLog,
        onOutput: options.onOutput,
      });
    let host = await spawnOnce(options.hostPort ?? 0, options.functionKey);
    const port = Number(new URL(host.url).port);
    const functionKey = host.functionKey;

    const gridFunction = host.logs
      .map((e) => e.ready as { functions?: { name: string; kind: string }[] } | undefined)
      .find((r) => r?.functions)
      ?.functions?.find((f) => f.kind === "eventGrid");
    if (!gridFunction)
      throw new Error("the app registers no Event Grid function: nothing to point the emulator's webhook at");
    const webhookUrl = `${host.url}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(gridFunction.name)}&code=${encodeURIComponent(functionKey)}`;
    await emulator.admin.addWebhook(webhookUrl);

    const running = emulator;
    let stopped = false;
    return {
      connectionString,
      emulator: running,
      get host() {
        return host;
      },
      appSettings,
      webhookUrl,
      apiUrl: `${host.url}/api`,
      functionKey,
      async restartHost() {
        await host.stop();
        host = await spawnOnce(port, functionKey);
        return host;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await host.stop(options.hostDrainTimeoutMs);
        await running.close();
        await ownAzurite?.stop();
      },
    };
  } catch (error) {
    await emulator?.close();
    await ownAzurite?.stop();
    throw error;
  }
}
