import { ServiceClient } from "@azure/core-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_TENANT_ID, type SeedInput } from "../../../../dev/emulator/index";
import { SpecCatalog } from "../../../../src/lib/spec/catalog";
import {
  buildPath,
  loadSpecExamples,
  PLACEHOLDER_SUBSCRIPTION_ID,
  type SpecExample,
} from "../../../../src/lib/spec/spec-examples";
import { sendRaw, startHarness, type Harness, type RawResult } from "../../support/emulator-harness";

/**
 * Replays every vendored example request of the operations the emulator
 * serves, through an Azure SDK client's pipeline (bearer token, TLS, retry),
 * against an emulator seeded with the examples' own resources, and checks
 * each answer against the spec's response schema for its status, in both
 * long-running modes. A 202 is followed to the end through the status URL the
 * emulator hands out, and that answer is checked against its own operation.
 */

const catalog = SpecCatalog.load();
const SERVED =
  /^(StorageSyncServices_(Get|Create|Update|Delete|ListByResourceGroup|ListBySubscription)|RegisteredServers_(Get|Create|Update|Delete|ListByStorageSyncService)|(SyncGroups|CloudEndpoints|ServerEndpoints)_(Get|Create|Delete|ListBy\w+)|RoleAssignments_\w+|RoleDefinitions_Get|Machines_Get)$/;
const examples = loadSpecExamples(catalog).filter((e) => SERVED.test(e.operationId));

const SYNC_SUB = "52b8da2f-61e0-4a1f-8dde-336911f367fb";
const RBAC_SUB = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
const EXAMPLE_USER = "ce2ce14e-85d7-4629-bdbc-454d0519d987";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

// Ids in the examples the emulator cannot host as they are: a Cosmos DB account
// (not emulated) becomes a storage account, and a role the emulator does not
// know becomes Reader. Everything else is seeded under the examples' own names.
const ID_MAP: Array<[RegExp, string]> = [
  [
    /providers\/Microsoft\.DocumentDb\/databaseAccounts\/test-db-account/gi,
    "providers/Microsoft.Storage/storageAccounts/testdbaccount",
  ],
  [/0b5fe924-9a61-425c-96af-cfe6e287ca2d/gi, READER],
];

function mapIds<T>(value: T): T {
  let text = JSON.stringify(value);
  if (text === undefined) return value;
  for (const [pattern, replacement] of ID_MAP) text = text.replace(pattern, replacement);
  return JSON.parse(text) as T;
}

const baseSeed: SeedInput = {
  tenantId: TEST_TENANT_ID,
  caller: { principalId: "c0c0c0c0-0000-4000-8000-000000000001" },
  principals: [{ principalId: EXAMPLE_USER, type: "User", displayName: "example user" }],
  subscriptions: [
    {
      subscriptionId: SYNC_SUB,
      resourceGroups: [
        {
          name: "SampleResourceGroup_1",
          location: "westus",
          storageAccounts: [{ name: "samplestorage1", fileShares: ["sampleshare1"] }],
          storageSyncServices: [
            {
              name: "SampleStorageSyncService_1",
              location: "westus",
              identity: { type: "SystemAssigned" },
              registeredServers: [
                { serverId: "080d4133-bdb5-40a0-96a0-71a6057bfe9a", serverName: "afscv-2304-139" },
                { serverId: "41166691-ab03-43e9-ab3e-0330eda162ac", serverName: "afscv-2304-140" },
                { serverId: "d166ca76-dad2-49df-b409-12345642d730", serverName: "afscv-2304-141" },
              ],
              syncGroups: [
                {
                  name: "SampleSyncGroup_1",
                  cloudEndpoints: [
                    {
                      name: "SampleCloudEndpoint_1",
                      storageAccountResourceId: `/subscriptions/${SYNC_SUB}/resourceGroups/SampleResourceGroup_1/providers/Microsoft.Storage/storageAccounts/samplestorage1`,
                      azureFileShareName: "sampleshare1",
                    },
                  ],
                  serverEndpoints: [
                    { name: "SampleServerEndpoint_1", serverId: "080d4133-bdb5-40a0-96a0-71a6057bfe9a" },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
    { subscriptionId: RBAC_SUB, resourceGroups: [{ name: "testrg", storageAccounts: [{ name: "testdbaccount" }] }] },
    {
      subscriptionId: PLACEHOLDER_SUBSCRIPTION_ID,
      resourceGroups: [{ name: "myResourceGroup", arcMachines: [{ name: "myMachine", identity: {} }] }],
    },
  ],
  roleAssignments: [
    {
      name: "b0f43c54-e787-4862-89b1-a653fa9cf747",
      scope: `/subscriptions/${RBAC_SUB}`,
      role: READER,
      principalId: EXAMPLE_USER,
      principalType: "User",
    },
    // Another role than the examples' (mapped to Reader), so RoleAssignments_CreateForResourceGroup creates rather than
    // meets 409 RoleAssignmentExists.
    {
      name: "96786e4b-dede-4c2e-8736-8ab911987f08",
      scope: `/subscriptions/${RBAC_SUB}/resourceGroups/testrg`,
      role: "Contributor",
      principalId: EXAMPLE_USER,
      principalType: "User",
    },
  ],
};

/**
 * Where an example is inconsistent on its own terms, the smallest change that
 * makes it a request the real service accepts, with the reason.
 */
const ADJUSTMENTS: Record<
  string,
  { seed?: (seed: SeedInput) => void; body?: (body: Record<string, unknown>) => void }
> = {
  // The example asks for "SystemAssigned, UserAssigned" but names no user-assigned identity.
  StorageSyncServices_Create: {
    body: (body) => {
      body.identity = {
        type: "SystemAssigned, UserAssigned",
        userAssignedIdentities: {
          [`/subscriptions/${SYNC_SUB}/resourceGroups/SampleResourceGroup_1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`]:
            {},
        },
      };
    },
  },
  // A sync group can only be deleted once its endpoints are gone.
  SyncGroups_Delete: {
    seed: (seed) => {
      const group = seed.subscriptions[0]!.resourceGroups![0]!.storageSyncServices![0]!.syncGroups![0]!;
      group.cloudEndpoints = [];
      group.serverEndpoints = [];
    },
  },
};

function seedFor(example: SpecExample): SeedInput {
  const seed = structuredClone(baseSeed);
  ADJUSTMENTS[example.operationId]?.seed?.(seed);
  return seed;
}

function bodyFor(example: SpecExample): unknown {
  if (example.body === undefined) return undefined;
  const body = mapIds(structuredClone(example.body)) as Record<string, unknown>;
  ADJUSTMENTS[example.operationId]?.body?.(body);
  return body;
}

let h: Harness;
let client: ServiceClient;
beforeAll(async () => {
  h = await startHarness({ seed: baseSeed });
  // A plain SDK ServiceClient: bearer token, TLS and retry from the SDK pipeline, but
  // no api-version policy, so each example's own api-version goes out unchanged.
  client = new ServiceClient({
    credential: h.credential,
    credentialScopes: [`${h.emulator.armEndpoint}/.default`],
    endpoint: h.emulator.armEndpoint,
  });
});
afterAll(async () => h?.emulator.close());

async function replay(example: SpecExample): Promise<RawResult> {
  const path = buildPath(example.operation.pathTemplate, mapIds(example.parameters));
  return sendRaw(
    client,
    h.emulator.armEndpoint,
    example.method as "GET",
    `${path}?api-version=${encodeURIComponent(example.apiVersion)}`,
    bodyFor(example),
  );
}

/** Follows a 202 through the Azure-AsyncOperation (else Location) URL until it is no longer running. */
async function followToEnd(accepted: RawResult): Promise<Array<{ url: string; result: RawResult }>> {
  const url = accepted.headers["azure-asyncoperation"] ?? accepted.headers["location"];
  expect(url, "a 202 names where to poll").toBeDefined();
  const polls: Array<{ url: string; result: RawResult }> = [];
  for (let i = 0; i < 50; i++) {
    const result = await sendRaw(client, h.emulator.armEndpoint, "GET", url!);
    polls.push({ url: url!, result });
    const status = (result.body as { status?: string } | undefined)?.status;
    if (result.status !== 202 && !/^(InProgress|Running|Accepted|Creating|Updating|Deleting)$/i.test(status ?? ""))
      return polls;
    await h.emulator.admin.advanceTime(60_000);
  }
  throw new Error(`operation at ${url} never finished`);
}

describe.each(["sync", "async"] as const)(
  "spec examples replayed against the emulator (long-running mode %s)",
  (lroMode) => {
    let accepted = 0;
    it("covers the served operations", () => {
      expect(examples.length).toBeGreaterThanOrEqual(25);
    });

    it.each(examples.map((e) => [`${e.operationId} (${e.file.split("/").pop()})`, e] as const))(
      "%s",
      async (_name, example) => {
        await h.emulator.admin.loadSeed(seedFor(example));
        await h.emulator.admin.setSettings({ lroMode });
        const result = await replay(example);

        const documented = Object.keys(example.responses).map(Number);
        expect(documented, `status ${result.status}: ${JSON.stringify(result.body)}`).toContain(result.status);
        expect(catalog.validateResponse(example.operationId, result.status, result.body)).toEqual([]);

        if (result.status === 202) {
          accepted++;
          expect(example.operation.longRunning).toBe(true);
          expect(result.headers["retry-after"]).toMatch(/^\d+$/);
          for (const { url, result: poll } of await followToEnd(result)) {
            const pollPath = new URL(url).pathname;
            const statusOperation = catalog.match("GET", pollPath);
            expect(statusOperation, `status URL ${pollPath} is an operation of the spec`).toBeDefined();
            expect(catalog.validateResponse(statusOperation!.operation.operationId, poll.status, poll.body)).toEqual(
              [],
            );
          }
        } else if (lroMode === "sync" || !example.operation.longRunning) {
          expect(result.status).toBeLessThan(300);
        }
      },
    );

    it(
      lroMode === "async"
        ? "answered long-running writes with 202 and a status URL"
        : "answered every long-running write at once",
      () => {
        if (lroMode === "async") expect(accepted).toBeGreaterThanOrEqual(5);
        else expect(accepted).toBe(0);
      },
    );
  },
);
