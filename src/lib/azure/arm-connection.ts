import type { TokenCredential } from "@azure/core-auth";
import { ServiceClient, type ServiceClientOptions } from "@azure/core-client";
import { createDefaultHttpClient, type HttpClient, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { MicrosoftStorageSync } from "@azure/arm-storagesync";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { attemptLogPolicy } from "./attempt-log";
import { writeFencePolicy } from "./write-fence";
import { armCallCounterPolicy } from "./call-counter";
import { throttleGatePolicy, type ThrottleWaitMeter } from "./throttle-gate";

/** The Storage Sync api-version that carries the identity fields. */
export const STORAGE_SYNC_API_VERSION = "2022-09-01";

export interface ArmConnectionOptions {
  /** Config.armEndpoint, e.g. https://management.azure.com or the emulator's. */
  endpoint: string;
  /** From createCredential(). */
  credential: TokenCredential;
  /** Extra CA certificate (PEM) to trust, for in-process tests against the emulator. */
  tlsCa?: string;
  /** Retries of the SDK's retry policies (429 with Retry-After, 5xx, network). Default 5. */
  maxRetries?: number;
  /** Base delay of the SDK's exponential retry (5xx, network). Default 800 ms. */
  retryDelayInMs?: number;
  /** Cap of the exponential retry delay. Default 30 s. */
  maxRetryDelayInMs?: number;
  /** Poll interval of long-running operations when ARM sends no Retry-After. Default 2 s. */
  lroPollIntervalMs?: number;
  /** Measures the time requests waited on throttled buckets (the CLI shows it). */
  throttleWaits?: ThrottleWaitMeter;
  /**
   * Default true: requests to a bucket ARM reports low go out at its refill rate. False: they go until ARM
   * answers 429 and then wait out Retry-After (what the throttle-pacing benchmark measures pacing against).
   */
  throttlePacing?: boolean;
  /** Token scope; defaults to `${endpoint}/.default` (right for public and sovereign clouds). */
  credentialScope?: string;
  /**
   * Policies added to every client of the connection in the Serialize phase
   * (before retries, so each sees a request once and its final answer): the
   * doctor's read-only guard and its record of every answer.
   */
  policies?: PipelinePolicy[];
}

/**
 * The SDK clients every run shares: one HTTP client (keep-alive sockets), one
 * retry configuration, one credential. Storage Sync and Authorization clients
 * are bound to a subscription, so they are made on first use per subscription.
 */
export interface ArmConnection {
  readonly endpoint: string;
  readonly lroPollIntervalMs: number;
  /** Storage Sync client (api-version 2022-09-01); identity requests go through its pipeline. */
  storageSync(subscriptionId: string): MicrosoftStorageSync;
  /** Role assignments client (2022-04-01) for a subscription. */
  authorization(subscriptionId: string): AuthorizationManagementClient;
  /** A plain ARM client for raw requests to other providers (Arc machines, VMs, listing). */
  readonly raw: ServiceClient;
}

export function createArmConnection(options: ArmConnectionOptions): ArmConnection {
  const endpoint = options.endpoint.replace(/\/+$/, "");
  if (!/^https:\/\//i.test(endpoint)) throw new Error(`ARM endpoint must be an https URL, got "${options.endpoint}"`);
  const httpClient: HttpClient = createDefaultHttpClient();
  const common: ServiceClientOptions & { $host: string; endpoint: string } = {
    endpoint,
    $host: endpoint,
    credentialScopes: [options.credentialScope ?? `${endpoint}/.default`],
    httpClient,
    retryOptions: {
      maxRetries: options.maxRetries ?? 5,
      retryDelayInMs: options.retryDelayInMs ?? 800,
      maxRetryDelayInMs: options.maxRetryDelayInMs ?? 30_000,
    },
    ...(options.tlsCa ? { tlsOptions: { ca: options.tlsCa } } : {}),
  };
  // One gate for all clients of the connection: they share ARM's per-subscription buckets.
  const throttleGate = throttleGatePolicy(options.throttleWaits, { paceAtRefill: options.throttlePacing ?? true });
  const withThrottleGateAndCallCounter = <C extends ServiceClient>(client: C): C => {
    client.pipeline.addPolicy(throttleGate, { afterPhase: "Retry" });
    client.pipeline.addPolicy(armCallCounterPolicy(), { afterPhase: "Retry" });
    client.pipeline.addPolicy(attemptLogPolicy(), { afterPhase: "Retry" });
    client.pipeline.addPolicy(writeFencePolicy(), { afterPhase: "Retry" });
    for (const policy of options.policies ?? []) client.pipeline.addPolicy(policy, { phase: "Serialize" });
    return client;
  };

  const storageSyncClients = new Map<string, MicrosoftStorageSync>();
  const authorizationClients = new Map<string, AuthorizationManagementClient>();
  const raw = withThrottleGateAndCallCounter(new ServiceClient({ ...common, credential: options.credential }));

  return {
    endpoint,
    lroPollIntervalMs: options.lroPollIntervalMs ?? 2000,
    raw,
    storageSync(subscriptionId) {
      const key = subscriptionId.toLowerCase();
      let client = storageSyncClients.get(key);
      if (!client) {
        client = withThrottleGateAndCallCounter(
          new MicrosoftStorageSync(options.credential, subscriptionId, {
            ...common,
            apiVersion: STORAGE_SYNC_API_VERSION,
          }),
        );
        storageSyncClients.set(key, client);
      }
      return client;
    },
    authorization(subscriptionId) {
      const key = subscriptionId.toLowerCase();
      let client = authorizationClients.get(key);
      if (!client) {
        client = withThrottleGateAndCallCounter(
          new AuthorizationManagementClient(options.credential, subscriptionId, common),
        );
        authorizationClients.set(key, client);
      }
      return client;
    },
  };
}
