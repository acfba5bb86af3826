import { ServiceClient } from "@azure/core-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_IDS, TEST_TENANT_ID } from "../../../../dev/emulator/index";
import {
  ACCOUNT_DATA,
  ACCOUNT_FOREIGN,
  ACCOUNT_LOCKED,
  DATA_SHARE,
  OTHER_TENANT,
  SERVICE,
  SUB_OTHER,
  driftSeed,
  principal,
  vm,
} from "../../support/drift-seed";
import {
  responseProblems,
  sendRaw,
  startHarness,
  SUB1,
  type Harness,
  type RawResult,
} from "../../support/emulator-harness";

/**
 * Storage account prerequisites (network rules, shared key access) and Entra tenants, read as the engine reads them.
 */

let h: Harness;
let arm: ServiceClient;
beforeAll(async () => {
  h = await startHarness({ seed: driftSeed(), lroMode: "sync", enforceRbac: false });
  // The engine's plain ARM client: the SDK pipeline (bearer token, retries) without a provider's models.
  arm = new ServiceClient({
    credential: h.credential,
    credentialScopes: [`${h.emulator.armEndpoint}/.default`],
    endpoint: h.emulator.armEndpoint,
  });
});
afterAll(async () => h.emulator.close());

const get = (path: string, apiVersion: string): Promise<RawResult> =>
  sendRaw(arm, h.emulator.armEndpoint, "GET", `${path}?api-version=${apiVersion}`);
type AccountProps = { networkAcls: Record<string, unknown>; allowSharedKeyAccess?: boolean };
const account = async (id: string): Promise<AccountProps> => {
  const r = await get(id, "2023-05-01");
  expect(r.status).toBe(200);
  return (r.body as { properties: AccountProps }).properties;
};

describe("storage account prerequisites", () => {
  it("GET returns networkAcls and allowSharedKeyAccess as seeded; an account that never set allowSharedKeyAccess omits it; each GET is counted", async () => {
    await h.emulator.admin.resetCalls();
    const locked = await account(ACCOUNT_LOCKED);
    expect(locked.networkAcls).toEqual({
      defaultAction: "Deny",
      bypass: "None",
      ipRules: [{ value: "203.0.113.0/24", action: "Allow" }],
      virtualNetworkRules: [],
    });
    expect(locked.allowSharedKeyAccess).toBe(false);
    const open = await account(ACCOUNT_DATA);
    expect(open.networkAcls).toEqual({
      defaultAction: "Allow",
      bypass: "AzureServices",
      ipRules: [],
      virtualNetworkRules: [],
    });
    expect("allowSharedKeyAccess" in open).toBe(false);
    expect((await h.emulator.admin.calls()).byOperation.StorageAccounts_GetProperties).toEqual({ reads: 2, writes: 0 });
  });

  it("the admin API changes them (as someone in the portal) and the next GET shows it; bad rules are refused", async () => {
    await h.emulator.admin.setStorageAccount({
      id: ACCOUNT_DATA,
      networkAcls: { defaultAction: "Deny", bypass: "Logging, Metrics" },
      allowSharedKeyAccess: false,
    });
    expect(await account(ACCOUNT_DATA)).toMatchObject({
      networkAcls: { defaultAction: "Deny", bypass: "Logging, Metrics" },
      allowSharedKeyAccess: false,
    });
    await h.emulator.admin.setStorageAccount({
      id: ACCOUNT_DATA,
      networkAcls: { defaultAction: "Deny", bypass: "Metrics, AzureServices" },
      allowSharedKeyAccess: null,
    });
    const after = await account(ACCOUNT_DATA);
    expect(after.networkAcls).toMatchObject({ bypass: "Metrics, AzureServices" });
    expect("allowSharedKeyAccess" in after).toBe(false);
    await expect(
      h.emulator.admin.setStorageAccount({
        id: ACCOUNT_DATA,
        networkAcls: { defaultAction: "Deny", bypass: "TrustedServices" },
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("bypass") });
    await expect(h.emulator.admin.setStorageAccount({ id: `${ACCOUNT_DATA}x` })).rejects.toMatchObject({ status: 404 });
  });

  it("a seed with an unknown bypass value is refused, naming the field", async () => {
    const seed = driftSeed();
    const rg = seed.subscriptions[0]!.resourceGroups![1]!;
    rg.storageAccounts![1]!.networkAcls = { defaultAction: "Deny", bypass: "Everything" };
    await expect(h.emulator.admin.loadSeed(seed)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("networkAcls.bypass"),
    });
  });
});

describe("Entra tenants", () => {
  it("GET subscription answers its tenantId (2022-12-01)", async () => {
    const r = await get(`/subscriptions/${SUB1}`, "2022-12-01");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ subscriptionId: SUB1, tenantId: TEST_TENANT_ID, state: "Enabled" });
  });

  it("a cloud endpoint names its storage account's tenant; ARM refuses the caller's token for that other tenant's subscription", async () => {
    const ce = await h.storageSync().cloudEndpoints.get("rg-sync", "sss-drift", "sg-foreign", "ce-foreign");
    expect(ce.storageAccountTenantId).toBe(OTHER_TENANT);
    for (const [path, version] of [
      [ACCOUNT_FOREIGN, "2023-05-01"],
      [`/subscriptions/${SUB_OTHER}`, "2022-12-01"],
    ] as const) {
      const r = await get(path, version);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({
        error: { code: "InvalidAuthenticationTokenTenant", message: expect.stringContaining(OTHER_TENANT) },
      });
    }
    await expect(
      h
        .authorization(SUB_OTHER)
        .roleAssignments.create(`${ACCOUNT_FOREIGN}/fileServices/default/fileshares/x`, crypto.randomUUID(), {
          roleDefinitionId: `/subscriptions/${SUB_OTHER}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
          principalId: principal(1),
          principalType: "ServicePrincipal",
        }),
    ).rejects.toMatchObject({ statusCode: 401, code: "InvalidAuthenticationTokenTenant" });
  });

  it("a VM identity of another tenant shows its tenantId, and can never be granted here, principalType or not", async () => {
    const r = await get(vm("vm-xt"), "2024-07-01");
    expect(r.body).toMatchObject({
      identity: { type: "SystemAssigned", principalId: principal(5), tenantId: OTHER_TENANT },
    });
    const create = () =>
      h.authorization().roleAssignments.create(DATA_SHARE, crypto.randomUUID(), {
        roleDefinitionId: `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
        principalId: principal(5),
        principalType: "ServicePrincipal",
      });
    await expect(create()).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
    await h.emulator.admin.advanceTime(24 * 3600 * 1000);
    await expect(create()).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
  });

  it("its server reports the identity, but a switch to it never takes, even with a grant in place", async () => {
    const id = `${SERVICE}/registeredServers/5e7ed000-0000-4000-8000-000000000005`;
    const patch = await sendRaw(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${id}?api-version=2022-09-01`, {
      properties: { identity: true },
    });
    expect(patch.status).toBe(200);
    await h.emulator.admin.advanceTime(24 * 3600 * 1000);
    expect(await h.emulator.admin.getServer(id)).toMatchObject({
      applicationId: principal(5),
      activeAuthType: "Certificate",
    });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
