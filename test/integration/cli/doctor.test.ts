import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SeedInput } from "../../../dev/emulator/index";
import type { DoctorReport } from "../../../src/cli/doctor/report";
import { runCliCaptured, type CliResult } from "../support/cli-run";
import { startHarness, type Harness } from "../support/emulator-harness";

/**
 * `afs-identity doctor` against the emulator: the checks it must make, and
 * that it never writes (the emulator's applied-write log stays empty after
 * every run).
 */
const SEED_FILE = path.resolve(__dirname, "../../../dev/seeds/minimal.json");
const SUB = "44444444-4444-4444-8444-444444444444";
const CALLER = "c0ffee00-0000-4000-8000-000000000001";
const SERVICE = `/subscriptions/${SUB}/resourceGroups/rg-sync/providers/Microsoft.StorageSync/storageSyncServices/sss-minimal`;
const ACCOUNT = `/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stminimal`;
const APP = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Web/sites/func-afs`;
const TOPIC = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.EventGrid/systemTopics/st-arm`;
const APP_PRINCIPAL = "abcd0000-0000-4000-8000-0000000000a1";
const SECRET_VALUE = "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0";

const baseSeed = JSON.parse(readFileSync(SEED_FILE, "utf8")) as SeedInput;
let h: Harness;

function seedWith(change: (seed: SeedInput) => void): SeedInput {
  const seed = structuredClone(baseSeed);
  change(seed);
  return seed;
}

async function doctor(...args: string[]): Promise<CliResult & { report: DoctorReport }> {
  const result = await runCliCaptured(["doctor", ...args, "--json"], { env: process.env });
  return { ...result, report: JSON.parse(result.stdout) as DoctorReport };
}

const problems = (r: DoctorReport) => r.checks.filter((c) => c.status === "problem");

beforeAll(async () => {
  h = await startHarness({ seed: SEED_FILE });
});
afterAll(async () => {
  await h?.emulator.close();
});
beforeEach(async () => {
  await h.emulator.admin.loadSeed(baseSeed);
  await h.emulator.admin.advanceTime(60_000); // the agent reports the machine's identity
  await h.emulator.admin.setSettings({ enforceRbac: true });
  await h.emulator.admin.clearFaults();
  await h.emulator.admin.resetWrites();
});
afterEach(async () => {
  // The doctor only reads: nothing it did may appear in the Activity Log's view of the emulator.
  expect(await h.emulator.admin.writes()).toEqual([]);
});

describe("afs-identity doctor", () => {
  it("a clean estate is ready: exit 0, every area checked, no problem", async () => {
    const result = await doctor(SERVICE);
    expect(result.code, result.stdout).toBe(0);
    expect(problems(result.report)).toEqual([]);
    expect(new Set(result.report.checks.map((c) => c.area))).toEqual(
      new Set(["who", "rights", "providers", "limits", "conformance"]),
    );
    expect(result.report.caller).toMatchObject({ objectId: CALLER });
    expect(result.report.checks.find((c) => c.title.startsWith("servers by state"))?.title).toContain("1 Eligible");
  });

  it("prints a checklist by default, with the verdict last", async () => {
    const result = await runCliCaptured(["doctor", "--subscription", SUB], { env: process.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Who and where\n/);
    expect(result.stdout.trim().split("\n").pop()).toMatch(/0 problem\(s\): ready$/);
  });

  it("with RBAC enforced and a caller without roleAssignments/write: names the action and the role that grants it, exit 2", async () => {
    await h.emulator.admin.loadSeed(
      seedWith((s) => {
        s.roleAssignments = [
          {
            scope: `/subscriptions/${SUB}`,
            role: "Contributor",
            principalId: CALLER,
            principalType: "ServicePrincipal",
          },
        ];
      }),
    );
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const missing = problems(result.report).filter((c) => c.area === "rights");
    expect(missing.map((c) => c.title)).toEqual([
      `the caller lacks Microsoft.Authorization/roleAssignments/write at ${ACCOUNT}`,
    ]);
    expect(missing[0]?.remedy).toContain("Azure File Sync Administrator");
  });

  it("a caller without any role: the service and its permissions cannot be read, each named with Reader as the remedy", async () => {
    await h.emulator.admin.loadSeed(
      seedWith((s) => {
        s.roleAssignments = [];
      }),
    );
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const titles = problems(result.report).map((c) => c.title);
    expect(titles).toContain(`cannot read ${SERVICE}`);
    expect(titles).toContain(`cannot read the caller's permissions at ${SERVICE}`);
    expect(problems(result.report).find((c) => c.title === `cannot read ${SERVICE}`)?.detail).toContain(
      "AuthorizationFailed",
    );
  });

  it("a storage account in another Entra tenant is named: its subscription cannot be read with this tenant's token, its cloud endpoint crosses tenants", async () => {
    const FOREIGN_SUB = "55555555-5555-4555-8555-555555555555";
    const FOREIGN_TENANT = "99999999-9999-4999-8999-999999999999";
    const foreignAccount = `/subscriptions/${FOREIGN_SUB}/resourceGroups/rg-far/providers/Microsoft.Storage/storageAccounts/stfar`;
    await h.emulator.admin.loadSeed(
      seedWith((s) => {
        s.subscriptions.push({
          subscriptionId: FOREIGN_SUB,
          tenantId: FOREIGN_TENANT,
          resourceGroups: [{ name: "rg-far", storageAccounts: [{ name: "stfar", fileShares: ["data"] }] }],
        });
        s.subscriptions[0]!.resourceGroups![0]!.storageSyncServices![0]!.syncGroups![0]!.cloudEndpoints![0]!.storageAccountResourceId =
          foreignAccount;
      }),
    );
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const who = problems(result.report).filter((c) => c.area === "who");
    expect(who.find((c) => c.title === `cannot read subscription ${FOREIGN_SUB}`)?.detail).toContain(
      "InvalidAuthenticationTokenTenant",
    );
    expect(who.map((c) => c.title)).toContain(
      `cloud endpoint ${SERVICE}/syncGroups/sg-data/cloudEndpoints/ce uses a storage account of tenant ${FOREIGN_TENANT}`,
    );
  });

  it("a role assignment write allowed only under a condition that refuses the File Sync roles is a problem", async () => {
    const otherRoleOnly =
      "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7}))";
    await h.emulator.admin.loadSeed(
      seedWith((s) => {
        s.roleAssignments = [
          {
            scope: `/subscriptions/${SUB}`,
            role: "Contributor",
            principalId: CALLER,
            principalType: "ServicePrincipal",
          },
          {
            scope: `/subscriptions/${SUB}`,
            role: "Role Based Access Control Administrator",
            principalId: CALLER,
            principalType: "ServicePrincipal",
            condition: otherRoleOnly,
            conditionVersion: "2.0",
          },
        ];
      }),
    );
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const missing = problems(result.report).find((c) => c.area === "rights");
    expect(missing?.title).toContain("roleAssignments/write");
    expect(missing?.detail).toContain("condition");
  });

  it("a storage subscription near 4,000 role assignments is a warning", async () => {
    await h.emulator.admin.loadSeed(
      seedWith((s) => {
        for (let i = 0; i < 3600; i++) {
          const principalId = `dddd0000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
          s.roleAssignments!.push({ scope: ACCOUNT, role: "Reader", principalId, principalType: "ServicePrincipal" });
        }
      }),
    );
    await h.emulator.admin.advanceTime(60_000);
    const result = await doctor(SERVICE);
    const quota = result.report.checks.find((c) => c.title.startsWith(`storage subscription ${SUB}`));
    expect(quota?.status).toBe("warning");
    expect(quota?.title).toContain("3602 of 4000 role assignments used");
    expect(result.code).toBe(0);
  });

  it("an answer of the wrong type is a conformance problem carrying the request id of that answer", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "RegisteredServers_ListByStorageSyncService" },
      effect: { kind: "offSpec", field: "value.0.properties.lastHeartBeat", change: "wrongType" },
    });
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const found = problems(result.report).filter((c) => c.area === "conformance");
    expect(found.length).toBeGreaterThan(0);
    const first = found[0]!;
    expect(first.title).toBe(
      "Azure answered differently than this product expects: RegisteredServers_ListByStorageSyncService value[0].properties.lastHeartBeat",
    );
    expect(first.evidence).toMatchObject({
      path: `${SERVICE}/registeredServers`,
      field: "value[0].properties.lastHeartBeat",
      expected: "expected string but got integer",
    });
    const requests = await h.emulator.admin.requests();
    const answered = requests.find((r) => r.requestId === first.evidence?.requestId);
    expect(answered?.operationId).toBe("RegisteredServers_ListByStorageSyncService");
  });

  it("an answer missing a required field is a conformance problem too", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "Subscriptions_Get" },
      effect: { kind: "offSpec", field: "tenantId", change: "remove" },
    });
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const found = problems(result.report).find((c) => c.evidence?.field === "tenantId");
    expect(found?.title).toBe("Azure answered differently than this product expects: Subscriptions_Get tenantId");
    expect(found?.evidence?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a switched server whose applicationId is not its machine's principal breaks the product's assumption", async () => {
    await h.emulator.admin.loadSeed(
      seedWith((s) => {
        const server = s.subscriptions[0]!.resourceGroups![0]!.storageSyncServices![0]!.registeredServers![0]!;
        server.applicationId = "a7c04001-0000-4000-8000-0000000000ff";
        server.activeAuthType = "ManagedIdentity";
      }),
    );
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const found = problems(result.report).find((c) => c.evidence?.field === "properties.applicationId");
    expect(found?.title).toBe(
      "Azure answered differently than this product expects: server solo.contoso.local applicationId",
    );
    expect(found?.evidence).toMatchObject({
      path: `${SERVICE}/registeredServers/5e7e4001-0000-4000-8000-000000000001`,
      expected: "a7c04001-0000-4000-8000-000000000001",
    });
    expect(found?.evidence?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a File Sync Administrator definition without its condition breaks the deployment's assumption", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "RoleDefinitions_Get" },
      effect: { kind: "offSpec", field: "properties.permissions.0.condition", change: "remove" },
    });
    const result = await doctor(SERVICE);
    expect(result.code).toBe(2);
    const found = problems(result.report).find((c) => c.title.endsWith("the Azure File Sync Administrator condition"));
    expect(found?.evidence).toMatchObject({
      field: "properties.permissions[].condition",
      path: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/92b92042-07d9-4307-87f7-36a593fc5850`,
    });
    expect(found?.evidence?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an unregistered resource provider is a problem with the command that registers it", async () => {
    await h.emulator.admin.setDeployment({ unregisteredProviders: { [SUB]: ["Microsoft.HybridCompute"] } });
    try {
      const result = await doctor(SERVICE);
      expect(result.code).toBe(2);
      const p = problems(result.report).find((c) => c.area === "providers");
      expect(p?.title).toBe(`Microsoft.HybridCompute is NotRegistered in subscription ${SUB}`);
      expect(p?.remedy).toBe(`az provider register --namespace Microsoft.HybridCompute --subscription ${SUB}`);
    } finally {
      await h.emulator.admin.setDeployment({ unregisteredProviders: { [SUB]: [] } });
    }
  });

  it("--report writes a redacted report: none of the estate's GUIDs or names, the same stand-in for the same value", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "doctor-"));
    const redactedFile = path.join(dir, "redacted.json");
    const plainFile = path.join(dir, "plain.json");
    await h.emulator.admin.addFault({
      match: { operationId: "RegisteredServers_ListByStorageSyncService" },
      effect: { kind: "offSpec", field: "value.0.properties.lastHeartBeat", change: "wrongType" },
    });
    await runCliCaptured(["doctor", SERVICE, "--report", redactedFile], { env: process.env });
    await runCliCaptured(["doctor", SERVICE, "--report", plainFile, "--no-redact"], { env: process.env });
    const estate = [
      SUB,
      CALLER,
      baseSeed.tenantId,
      "5e7e4001-0000-4000-8000-000000000001",
      "a7c04001-0000-4000-8000-000000000001",
      "rg-sync",
      "rg-data",
      "sss-minimal",
      "stminimal",
      "sg-data",
      "solo",
    ];
    const plain = readFileSync(plainFile, "utf8").toLowerCase();
    const redacted = readFileSync(redactedFile, "utf8").toLowerCase();
    // The plain report does name them (else this test could not fail) …
    for (const value of [SUB, CALLER, "rg-sync", "sss-minimal", "stminimal"])
      expect(plain).toContain(value.toLowerCase());
    // … the redacted one names none.
    for (const value of estate) expect(redacted, value).not.toContain(value.toLowerCase());
    const report = JSON.parse(readFileSync(redactedFile, "utf8")) as DoctorReport;
    expect(report.redacted).toBe(true);
    // Consistent: the subscription's stand-in is the same wherever it appears.
    const target = (report.target as { serviceId: string }).serviceId;
    expect(report.checks.some((c) => c.title.includes(target))).toBe(true);
  });

  describe("--app", () => {
    const eventSubscription = (deadLetter: boolean) => ({
      destination: {
        endpointType: "WebHook",
        properties: {
          endpointBaseUrl: "https://func-afs.azurewebsites.net/runtime/webhooks/eventgrid",
          maxEventsPerBatch: 1,
        },
      },
      filter: {
        subjectBeginsWith: `/subscriptions/${SUB}/`,
        includedEventTypes: ["Microsoft.Resources.ResourceWriteSuccess"],
        advancedFilters: [
          {
            operatorType: "StringIn",
            key: "data.operationName",
            values: [
              "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
              "Microsoft.StorageSync/storageSyncServices/syncGroups/cloudEndpoints/write",
              "Microsoft.StorageSync/storageSyncServices/syncGroups/serverEndpoints/write",
              "Microsoft.HybridCompute/machines/write",
              "Microsoft.Compute/virtualMachines/write",
            ],
          },
        ],
      },
      ...(deadLetter
        ? {
            deadLetterWithResourceIdentity: {
              identity: { type: "SystemAssigned" },
              deadLetterDestination: { endpointType: "StorageBlob", properties: { blobContainerName: "dead-letters" } },
            },
          }
        : {}),
    });

    /** The estate plus a deployed app: `callerRoles` are extra roles of the caller on the subscription. */
    async function deploy(
      deadLetter: boolean,
      settings: Record<string, string>,
      callerRoles: string[] = [],
    ): Promise<void> {
      await h.emulator.admin.loadSeed(
        seedWith((s) => {
          s.subscriptions[0]!.resourceGroups!.push({ name: "rg-app" });
          s.roleAssignments!.push(
            {
              scope: `/subscriptions/${SUB}`,
              role: "Azure File Sync Administrator",
              principalId: APP_PRINCIPAL,
              principalType: "ServicePrincipal",
            },
            {
              scope: `/subscriptions/${SUB}`,
              role: "Reader",
              principalId: APP_PRINCIPAL,
              principalType: "ServicePrincipal",
            },
            ...callerRoles.map((role) => ({
              scope: `/subscriptions/${SUB}`,
              role,
              principalId: CALLER,
              principalType: "ServicePrincipal" as const,
            })),
          );
        }),
      );
      await h.emulator.admin.advanceTime(60_000);
      await h.emulator.admin.setDeployment({
        functionApps: [
          {
            id: APP,
            userAssigned: {
              [`/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-afs`]:
                {
                  principalId: APP_PRINCIPAL,
                  clientId: "abcd0000-0000-4000-8000-0000000000c1",
                },
            },
            appSettings: settings,
          },
        ],
        systemTopics: [
          {
            id: TOPIC,
            source: `/subscriptions/${SUB}`,
            eventSubscriptions: { "to-events": eventSubscription(deadLetter) },
          },
        ],
      });
    }

    const fullSettings = {
      MANAGED_SCOPES: `/subscriptions/${SUB}`,
      AZURE_CLIENT_ID: "abcd0000-0000-4000-8000-0000000000c1",
      AzureWebJobsStorage__queueServiceUri: "https://stapp.queue.core.windows.net",
      AzureWebJobsStorage__tableServiceUri: "https://stapp.table.core.windows.net",
      APPLICATIONINSIGHTS_CONNECTION_STRING: SECRET_VALUE,
    };

    it("a correctly wired app is ready; app setting values never reach the output", async () => {
      // Listing setting names needs Microsoft.Web/sites/config/list/action: Contributor has it, Reader does not.
      await deploy(true, fullSettings, ["Contributor"]);
      const result = await doctor(SERVICE, "--app", APP);
      expect(problems(result.report), result.stdout).toEqual([]);
      expect(result.code).toBe(0);
      const wiring = result.report.checks.filter((c) => c.area === "wiring").map((c) => c.title);
      expect(wiring).toContain(`the app signs in as ${APP_PRINCIPAL}`);
      expect(wiring.some((t) => t.startsWith("event subscription") && t.includes("dead-letter"))).toBe(true);
      expect(wiring.some((t) => t.startsWith("the app has the settings the product needs"))).toBe(true);
      expect(result.stdout).not.toContain(SECRET_VALUE);
      expect(result.stdout).not.toContain("stapp.queue");
    });

    it("no dead-letter destination, a missing setting and a caller who may not list settings are each named", async () => {
      await deploy(false, { AZURE_CLIENT_ID: "abcd0000-0000-4000-8000-0000000000c1" });
      const result = await doctor(SERVICE, "--app", APP);
      expect(result.code).toBe(2);
      const titles = result.report.checks.filter((c) => c.area === "wiring" && c.status !== "ok").map((c) => c.title);
      expect(titles).toContain(
        `event subscription ${TOPIC}/eventSubscriptions/to-events: it has no dead-letter destination: events Event Grid gives up on are lost`,
      );
      // The seeded caller (File Sync Administrator + Reader) lacks Microsoft.Web/sites/config/list/action.
      expect(titles).toContain("app settings not checked");
    });

    it("a missing setting is a problem when the caller may list settings", async () => {
      await deploy(true, { AZURE_CLIENT_ID: "abcd0000-0000-4000-8000-0000000000c1" });
      await h.emulator.admin.setSettings({ enforceRbac: false });
      const result = await doctor(SERVICE, "--app", APP);
      expect(result.code).toBe(2);
      const titles = problems(result.report).map((c) => c.title);
      expect(titles).toContain("the app lacks the setting MANAGED_SCOPES");
      expect(titles).toContain(
        "the app lacks the setting AzureWebJobsStorage or AzureWebJobsStorage__queueServiceUri + AzureWebJobsStorage__tableServiceUri",
      );
    });
  });
});
