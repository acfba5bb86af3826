import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createLocalTls, type LocalTls } from "../tls/local-tls";
import { EmulatorAdminClient } from "./admin-client";
import { handleAdminRequest } from "./admin-api";
import { handleArmRequest, readBody, requestUrl, send } from "./arm-server";
import { EmulatorCore, type EmulatorDelays } from "./core";
import { EventGridPublisher } from "./events/publisher";
import type { ArmThrottleOptions } from "./faults/arm-throttle";
import type { LatencyModelOptions } from "./faults/latency-model";
import { armOperationName, resourceWriteSuccessEvent } from "./events/resource-write-event";
import { startIdentityEndpoint } from "./identity-endpoint";
import { grantingRoleName } from "./rbac";
import { resolveSeed, type Seed, type SeedInput } from "./seed";

export { EmulatorAdminClient, EmulatorAdminError, type RawServer, type StateDump } from "./admin-client";
export type { EmulatorDelays } from "./core";
export type { LocalTls } from "../tls/local-tls";
export { ids, parseSeed, TEST_TENANT_ID, type Seed, type SeedInput } from "./seed";
export { ROLE_IDS } from "./roles";

export const DEFAULT_SEED_PATH = path.join(__dirname, "..", "seeds", "demo.json");

export interface EmulatorEventOptions {
  /** Delivery attempts per event (default 5). */
  maxAttempts?: number;
  /** First back-off between attempts (default 50 ms). */
  retryDelayMs?: number;
  /** Chance that an event is delivered twice. */
  duplicateProbability?: number;
  /** Delay before each delivery. */
  extraDelayMs?: number;
  /** Up to this much more delay per delivery, at random: events arrive out of order. */
  delayJitterMs?: number;
  /** A webhook that does not answer within this long is retried (Event Grid: 30 s). */
  timeoutMs?: number;
}

export interface EmulatorOptions {
  /** Path to a JSON seed, or the seed object; default dev/seeds/demo.json. */
  seed?: string | SeedInput | Seed;
  /** 0 or omitted: a free port on 127.0.0.1. */
  port?: number;
  /** Long-running writes answer 200 (sync) or 202 + Azure-AsyncOperation/Location/Retry-After (async, default). */
  lroMode?: "sync" | "async";
  /** Check the caller's own role assignments (403 AuthorizationFailed); default false. */
  enforceRbac?: boolean;
  delays?: Partial<EmulatorDelays>;
  /** Event Grid webhook URLs to register at start (validation handshake done before startEmulator resolves). */
  webhooks?: string[];
  events?: EmulatorEventOptions;
  /** Certificate to serve; default: a new one from createLocalTls(). */
  tls?: LocalTls;
  /**
   * Check each answer against the spec's response schema; problems are listed in
   * `admin.requests()[i].responseProblems`.
   */
  validateResponses?: boolean;
  /** Page list answers with this many items and a nextLink (default 0: one page, as the specs say). */
  listPageSize?: number;
  /** ARM's per-subscription token buckets; default ARM's limits (reads 250/25 per s, writes 200/10 per s). */
  throttle?: ArmThrottleOptions;
  /** Per-call latency (default none); give it and `throttle` the same timeScale to compress time. */
  latency?: LatencyModelOptions;
}

export interface EmulatorHandle {
  /** "https://127.0.0.1:<port>" */
  armEndpoint: string;
  /** "https://127.0.0.1:<port>/_admin" */
  adminUrl: string;
  /** App Service-style managed identity endpoint (plain http on loopback, as in App Service). */
  identityEndpoint: string;
  identityHeader: string;
  caCertPem: string;
  caCertPath: string;
  /**
   * ARM_ENDPOINT, NODE_EXTRA_CA_CERTS, IDENTITY_ENDPOINT, IDENTITY_HEADER, AZURE_SUBSCRIPTION_ID, EMULATOR_ADMIN_URL,
   * MANAGED_SCOPES.
   */
  env: Record<string, string>;
  admin: EmulatorAdminClient;
  /** The seeded caller (the automation's identity the token endpoint issues tokens for). */
  callerPrincipalId: string;
  /** The in-process core, for tests that need to look deeper than the admin API. */
  core: EmulatorCore;
  close(): Promise<void>;
}

const ADMIN_PREFIX = "/_admin";

/** Starts the emulated Azure control plane: HTTPS ARM + admin API, and the managed-identity endpoint. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const seed = resolveSeed(options.seed ?? DEFAULT_SEED_PATH);
  const tls = options.tls ?? (await createLocalTls());
  const core = new EmulatorCore({
    seed,
    delays: options.delays,
    lroMode: options.lroMode,
    enforceRbac: options.enforceRbac,
    throttle: options.throttle,
    latency: options.latency,
    validateResponses: options.validateResponses,
    listPageSize: options.listPageSize,
  });
  const publisher = new EventGridPublisher({
    ca: tls.certPem,
    maxAttempts: options.events?.maxAttempts ?? 5,
    retryDelayMs: options.events?.retryDelayMs ?? 50,
    duplicateProbability: options.events?.duplicateProbability,
    extraDelayMs: options.events?.extraDelayMs,
    delayJitterMs: options.events?.delayJitterMs,
    timeoutMs: options.events?.timeoutMs,
  });
  core.onWrite((w) => {
    if (w.method === "DELETE") return; // ResourceDeleteSuccess is not raised by the emulator
    const operationName = armOperationName(w.resourceUri, w.method);
    publisher.publish(
      resourceWriteSuccessEvent({
        resourceUri: w.resourceUri,
        operationName,
        // Writes the admin API simulates (a person in the portal, an agent) act as Owner.
        evidenceRole: grantingRoleName(core.state, w.callerOid, operationName, w.resourceUri) ?? "Owner",
        subscriptionId: w.subscriptionId,
        tenantId: core.state.tenantId,
        principalOid: w.callerOid,
        correlationId: w.correlationId,
        httpMethod: w.method,
        requestUrl: `${core.armEndpoint}${w.resourceUri}`,
      }),
    );
  });

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const pathname = requestUrl(req.url).pathname;
        if (pathname === ADMIN_PREFIX || pathname.startsWith(ADMIN_PREFIX + "/")) {
          await handleAdminRequest({ core, publisher }, req, res, body, pathname.slice(ADMIN_PREFIX.length) || "/");
        } else {
          await handleArmRequest(core, req, res, body);
        }
      } catch (e) {
        console.error("[emulator] request failed", e);
        if (!res.headersSent)
          send(res, { status: 500, headers: {}, body: { error: { code: "InternalServerError", message: String(e) } } });
      }
    })();
  });
  // Keep idle connections longer than clients' pools do (Node's 5 s default races
  // with keep-alive reuse into ECONNRESET under load; ARM's front doors keep minutes).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  core.armEndpoint = `https://127.0.0.1:${port}`;

  const identityHeader = randomUUID();
  const identity = await startIdentityEndpoint({
    header: identityHeader,
    tenantId: () => core.state.tenantId,
    nowMs: () => Date.now(),
    resolvePrincipal: (requested) => {
      if (!requested) return core.state.callerPrincipalId;
      return core.state.principal(requested)?.principalId;
    },
  });

  const close = async (): Promise<void> => {
    await publisher.close();
    await identity.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    // A certificate made for this emulator alone goes with it; a given one belongs to the caller.
    if (!options.tls) rmSync(path.dirname(tls.certPath), { recursive: true, force: true });
  };

  try {
    for (const url of options.webhooks ?? []) await publisher.register(url);
  } catch (e) {
    await close();
    throw e;
  }

  const adminUrl = `${core.armEndpoint}${ADMIN_PREFIX}`;
  const env: Record<string, string> = {
    ARM_ENDPOINT: core.armEndpoint,
    NODE_EXTRA_CA_CERTS: tls.certPath,
    IDENTITY_ENDPOINT: identity.url,
    IDENTITY_HEADER: identityHeader,
    AZURE_SUBSCRIPTION_ID: seed.subscriptions[0]?.subscriptionId ?? "",
    EMULATOR_ADMIN_URL: adminUrl,
    MANAGED_SCOPES: seed.subscriptions.map((s) => `/subscriptions/${s.subscriptionId}`).join(","),
  };
  return {
    armEndpoint: core.armEndpoint,
    adminUrl,
    identityEndpoint: identity.url,
    identityHeader,
    caCertPem: tls.certPem,
    caCertPath: tls.certPath,
    env,
    admin: new EmulatorAdminClient(adminUrl, tls.certPem),
    callerPrincipalId: seed.caller.principalId,
    core,
    close,
  };
}
