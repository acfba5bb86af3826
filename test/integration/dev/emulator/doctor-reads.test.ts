import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmulatorAdminError } from "../../../../dev/emulator/admin-client";
import { plainRequest, responseProblems, SUB1, startHarness, type Harness } from "../../support/emulator-harness";

/**
 * What `afs-identity doctor` reads from the emulator: the caller's
 * permissions (through the Azure SDK's own client), provider registrations,
 * the deployed app's site, settings and Event Grid resources, all answering
 * within their response schemas.
 */
let h: Harness;
const RG = `/subscriptions/${SUB1}/resourceGroups/rg-filesync`;
const APP = `${RG}/providers/Microsoft.Web/sites/func-afs`;
const TOPIC = `${RG}/providers/Microsoft.EventGrid/systemTopics/st-arm`;

beforeAll(async () => {
  h = await startHarness({ enforceRbac: true });
});
afterAll(async () => {
  await h?.emulator.close();
});
beforeEach(async () => {
  await h.emulator.admin.setSettings({ enforceRbac: true });
  await h.emulator.admin.setDeployment({
    functionApps: [
      {
        id: APP,
        systemAssignedPrincipalId: "abcd0000-0000-4000-8000-0000000000a1",
        appSettings: { MANAGED_SCOPES: RG },
      },
    ],
    systemTopics: [
      {
        id: TOPIC,
        source: `/subscriptions/${SUB1}`,
        eventSubscriptions: { "to-app": { destination: { endpointType: "WebHook" } } },
      },
    ],
    unregisteredProviders: { [SUB1]: ["Microsoft.EventGrid"] },
  });
});

describe("emulator: what the doctor reads", () => {
  it("Permissions_ListForResourceGroup through the SDK: one entry per assignment of the caller, conditions included", async () => {
    const entries = [];
    for await (const p of h.authorization().permissions.listForResourceGroup("rg-filesync")) entries.push(p);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some((e) => e.actions?.includes("Microsoft.Authorization/roleAssignments/write"))).toBe(true);
    const raw = await plainRequest(
      h,
      "GET",
      `${RG}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
    );
    const withCondition = (raw.body as { value: Array<{ condition?: string }> }).value.filter((e) => e.condition);
    expect(withCondition.map((e) => e.condition).join(" ")).toContain("ForAnyOfAnyValues:GuidEquals");
    expect(await responseProblems(h)).toEqual([]);
  });

  it("providers, the site, its settings (a POST that is no write) and Event Grid answer within their schemas", async () => {
    await h.emulator.admin.resetWrites();
    // The seeded caller (File Sync Administrator, Reader) may not list settings; without RBAC anyone may.
    await h.emulator.admin.setSettings({ enforceRbac: false });
    const providers = await plainRequest(h, "GET", `/subscriptions/${SUB1}/providers?api-version=2021-04-01`);
    const states = Object.fromEntries(
      (providers.body as { value: Array<{ namespace: string; registrationState: string }> }).value.map((p) => [
        p.namespace,
        p.registrationState,
      ]),
    );
    expect(states).toMatchObject({ "Microsoft.StorageSync": "Registered", "Microsoft.EventGrid": "NotRegistered" });
    const site = await plainRequest(h, "GET", `${APP}?api-version=2024-04-01`);
    expect(site.body).toMatchObject({
      identity: { type: "SystemAssigned", principalId: "abcd0000-0000-4000-8000-0000000000a1" },
      properties: { defaultHostName: "func-afs.azurewebsites.net" },
    });
    const settings = await plainRequest(h, "POST", `${APP}/config/appsettings/list?api-version=2024-04-01`);
    expect(settings.body, JSON.stringify(settings.body)).toMatchObject({ properties: { MANAGED_SCOPES: RG } });
    const topics = await plainRequest(
      h,
      "GET",
      `/subscriptions/${SUB1}/providers/Microsoft.EventGrid/systemTopics?api-version=2025-02-15`,
    );
    expect((topics.body as { value: unknown[] }).value).toHaveLength(1);
    const subscriptions = await plainRequest(h, "GET", `${TOPIC}/eventSubscriptions?api-version=2025-02-15`);
    expect((subscriptions.body as { value: Array<{ name: string }> }).value.map((s) => s.name)).toEqual(["to-app"]);
    expect(await responseProblems(h)).toEqual([]);
    expect(await h.emulator.admin.writes()).toEqual([]);
  });

  it("listing app settings needs Microsoft.Web/sites/config/list/action: 403 for a caller without it", async () => {
    await h.emulator.admin.loadSeed({
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      caller: { principalId: "c0ffee00-0000-4000-8000-000000000001" },
      subscriptions: [{ subscriptionId: SUB1, resourceGroups: [{ name: "rg-filesync" }] }],
      roleAssignments: [
        { scope: `/subscriptions/${SUB1}`, role: "Reader", principalId: "c0ffee00-0000-4000-8000-000000000001" },
      ],
    });
    await h.emulator.admin.setDeployment({ functionApps: [{ id: APP, appSettings: {} }] });
    const denied = await plainRequest(h, "POST", `${APP}/config/appsettings/list?api-version=2024-04-01`);
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).toContain("Microsoft.Web/sites/config/list/action");
    const read = await plainRequest(h, "GET", `${APP}?api-version=2024-04-01`);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
  });

  it("a malformed deployment is refused, naming the field", async () => {
    const error = await h.emulator.admin
      .setDeployment({ functionApps: [{ id: "/not/a/site" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorAdminError);
    expect(String((error as Error).message)).toContain("functionApps.0.id: must be a Microsoft.Web/sites resource id");
  });
});
