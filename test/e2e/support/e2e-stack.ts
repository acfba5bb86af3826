import { setTimeout as sleep } from "node:timers/promises";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { inject } from "vitest";
import type { EmulatorHandle } from "../../../dev/emulator";
import { roleAssignmentName } from "../../../src/lib/azure/role-assignments";
import { AppApiClient, type ServerStatus, type ServiceDetail } from "../../../dev/host/app-api-client";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../../dev/host/local-stack";

/** Per-test budget: generous because the full suite shares two cores; each wait inside is bounded on its own. */
export const E2E_TEST_TIMEOUT_MS = 120_000;

/**
 * The full stack for one e2e test file: the run's shared Azurite, its own
 * emulator (the run's certificate, which test processes trust), and the
 * local host running `dist/` as a child process. Short delays everywhere.
 */
export async function startE2EStack(
  namespace: string,
  options: Partial<LocalStackOptions> = {},
): Promise<{ stack: LocalStack; api: AppApiClient }> {
  const unique = `${namespace}${Date.now().toString(36)}`;
  const stack = await startLocalStack({
    azurite: { connectionString: inject("azuriteConnectionString") },
    ...options,
    emulator: {
      tls: inject("localTls"),
      delays: { discoveryMs: 500, activationMs: 1_000, principalReplicationMs: 500, lroMs: 20, retryAfterSeconds: 0 },
      ...options.emulator,
    },
    appSettings: {
      RECONCILE_QUEUE_NAME: `rec-${unique}`.toLowerCase(),
      TABLE_NAME_PREFIX: `e2e${unique}`.replace(/[^a-z0-9]/gi, ""),
      ...options.appSettings,
    },
    // visibilityTimeout 0 and fast polling keep retries quick; maxDequeueCount stays host.json's.
    hostQueues: { visibilityTimeout: "00:00:00", maxPollingInterval: "00:00:00.250", ...options.hostQueues },
    queueMessageLeaseMs: options.queueMessageLeaseMs ?? 3_000,
  });
  return { stack, api: new AppApiClient(stack.apiUrl, stack.functionKey) };
}

/** Polls until probe returns a value (not undefined), or fails naming what it waited for and the last observation. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ""}`,
      );
    await sleep(250);
  }
}

/** The status API's view of one server, once the service has a status record. */
export async function serverStatus(
  api: AppApiClient,
  serviceId: string,
  serverId: string,
): Promise<ServerStatus | undefined> {
  const detail = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(serviceId)}`);
  if (detail.status !== 200) return undefined;
  return detail.body.servers.find((s) => s.serverId.toLowerCase() === serverId.toLowerCase());
}

/** Waits for a server to reach a state in the status API; returns its record. */
export function serverReaches(
  api: AppApiClient,
  serviceId: string,
  serverId: string,
  state: string,
  timeoutMs = 30_000,
): Promise<ServerStatus> {
  return eventually(
    `server ${serverId} to be ${state}`,
    async () => {
      const status = await serverStatus(api, serviceId, serverId);
      return status?.state === state ? status : undefined;
    },
    timeoutMs,
  );
}

/** Role assignments in the emulator that repeat the same scope, principal and role. */
export function duplicateAssignments(emulator: EmulatorHandle): string[] {
  const seen = new Map<string, number>();
  for (const a of emulator.core.state.roleAssignments.values()) {
    const key = `${a.scope.toLowerCase()}|${a.principalId.toLowerCase()}|${a.roleDefinitionId.split("/").pop()?.toLowerCase()}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
}

/**
 * Assignments not named as the engine names them (UUID v5 of scope, principal
 * and role), leaving out those already there before the test. A retry after a
 * crash PUTs the same name again, so a random name here would mean a retry
 * could have made a second assignment where ARM does not refuse it.
 */
export function undeterministicAssignments(emulator: EmulatorHandle, existingBefore: ReadonlySet<string>): string[] {
  return [...emulator.core.state.roleAssignments.values()]
    .filter((a) => !existingBefore.has(a.id.toLowerCase()))
    .filter((a) => a.name !== roleAssignmentName(a.scope, a.principalId, a.roleDefinitionId.split("/").pop() ?? ""))
    .map((a) => a.id);
}

/** Ids of the emulator's role assignments now, lower-cased. */
export function assignmentIds(emulator: EmulatorHandle): Set<string> {
  return new Set([...emulator.core.state.roleAssignments.values()].map((a) => a.id.toLowerCase()));
}

/** Assignments of one principal in the emulator, as "role@scope". */
export function assignmentsOf(emulator: EmulatorHandle, principalId: string): { scope: string; roleId: string }[] {
  return [...emulator.core.state.roleAssignments.values()]
    .filter((a) => a.principalId.toLowerCase() === principalId.toLowerCase())
    .map((a) => ({ scope: a.scope, roleId: a.roleDefinitionId.split("/").pop() ?? "" }));
}

/**
 * Tokens from the emulator's managed-identity endpoint, for SDK clients the test itself drives (acting as an operator).
 */
export function emulatorCredential(emulator: EmulatorHandle): TokenCredential {
  return {
    async getToken(scopes): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      const resource = (scope ?? emulator.armEndpoint).replace(/\/\.default$/, "");
      const url = `${emulator.identityEndpoint}?resource=${encodeURIComponent(resource)}&api-version=2019-08-01`;
      const response = await fetch(url, { headers: { "X-IDENTITY-HEADER": emulator.identityHeader } });
      if (!response.ok) throw new Error(`identity endpoint answered ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as { access_token: string; expires_on: string | number };
      return { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
    },
  };
}
