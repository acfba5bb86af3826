import { MicrosoftStorageSync } from "@azure/arm-storagesync";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { ServiceClient } from "@azure/core-client";
import { createHttpPoller, type LongRunningOperation, type LroResponse } from "@azure/core-lro";
import { createPipelineRequest, type HttpMethods } from "@azure/core-rest-pipeline";
import { DefaultAzureCredential } from "@azure/identity";
import { inject } from "vitest";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../../dev/emulator/index";

/**
 * Test harness: one emulator per test file, the product's way of talking to
 * it (env vars + DefaultAzureCredential + SDK clients with endpoint = ARM),
 * and a raw long-running request through an SDK client's own pipeline for
 * the identity fields the SDK's models lack.
 */
export const SUB1 = "11111111-1111-4111-8111-111111111111";
export const SUB2 = "22222222-2222-4222-8222-222222222222";
export const SERVICE1 = `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;
export const SERVICE2 = `/subscriptions/${SUB2}/resourceGroups/rg-branch/providers/Microsoft.StorageSync/storageSyncServices/sss-branch`;

export interface Harness {
  emulator: EmulatorHandle;
  credential: DefaultAzureCredential;
  storageSync(subscriptionId?: string): MicrosoftStorageSync;
  authorization(subscriptionId?: string): AuthorizationManagementClient;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ tls: inject("localTls"), validateResponses: true, ...options });
  // The product reads these from its environment; DefaultAzureCredential finds the App Service MSI endpoint.
  Object.assign(process.env, emulator.env);
  const credential = new DefaultAzureCredential();
  return {
    emulator,
    credential,
    storageSync: (sub = SUB1) =>
      new MicrosoftStorageSync(credential, sub, { endpoint: emulator.armEndpoint, apiVersion: "2022-09-01" }),
    authorization: (sub = SUB1) =>
      new AuthorizationManagementClient(credential, sub, { endpoint: emulator.armEndpoint }),
  };
}

export interface RawResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** One request through a client's pipeline (auth, retry, TLS) without models. */
export async function sendRaw(
  client: ServiceClient,
  endpoint: string,
  method: HttpMethods,
  path: string,
  body?: unknown,
): Promise<RawResult> {
  const url = path.startsWith("https://") ? path : `${endpoint}${path}`;
  const response = await client.sendRequest(
    createPipelineRequest({
      url,
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: undefined,
    }),
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of response.headers) headers[k.toLowerCase()] = v;
  return {
    status: response.status,
    body: response.bodyAsText ? (JSON.parse(response.bodyAsText) as unknown) : undefined,
    headers,
  };
}

/**
 * A long-running PATCH/PUT through the client's pipeline, polled with @azure/core-lro; resolves with the final
 * resource.
 */
export async function sendLongRunning(
  client: ServiceClient,
  endpoint: string,
  method: "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<{ initial: RawResult; final: unknown }> {
  let initial: RawResult | undefined;
  const toLro = (r: RawResult): LroResponse => ({
    flatResponse: r.body,
    rawResponse: { statusCode: r.status, headers: r.headers, body: r.body },
  });
  const lro: LongRunningOperation = {
    requestMethod: method,
    requestPath: `${endpoint}${path}`,
    sendInitialRequest: async () => {
      initial = await sendRaw(client, endpoint, method, path, body);
      return toLro(initial);
    },
    sendPollRequest: async (pollPath) => toLro(await sendRaw(client, endpoint, "GET", pollPath)),
  };
  const poller = await createHttpPoller(lro, { intervalInMs: 10 });
  const final = await poller.pollUntilDone();
  if (!initial) throw new Error("no initial response");
  return { initial, final };
}

/**
 * A plain HTTPS request with a bearer token from the identity endpoint (what `curl --cacert` does), bypassing SDK
 * policies.
 */
export async function plainRequest(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
): Promise<RawResult> {
  const bearer =
    token === null ? undefined : (token ?? (await h.credential.getToken(`${h.emulator.armEndpoint}/.default`))?.token);
  const response = await fetch(`${h.emulator.armEndpoint}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers };
}

/** Answers (so far) that departed from the spec's response schema, as "operationId status: problem". */
export async function responseProblems(h: Harness): Promise<string[]> {
  return (await h.emulator.admin.requests()).flatMap((e) =>
    (e.responseProblems ?? []).map((p) => `${e.operationId} ${e.status}: ${p}`),
  );
}
