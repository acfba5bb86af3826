import { readFileSync } from "node:fs";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { MicrosoftStorageSync } from "@azure/arm-storagesync";
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, ROLE_IDS, TEST_TENANT_ID, type SeedInput } from "../../../../dev/emulator/index";
import {
  plainRequest,
  SERVICE1,
  SUB1,
  responseProblems,
  startHarness,
  type Harness,
} from "../../support/emulator-harness";

const NOBODY = "0b0d0000-0000-4000-8000-000000000001";
const READER = "0b0d0000-0000-4000-8000-000000000002";
const RBAC_ADMIN = "0b0d0000-0000-4000-8000-000000000003";
const AFS_ADMIN_ONLY = "0b0d0000-0000-4000-8000-000000000004";
const SUB1_SCOPE = `/subscriptions/${SUB1}`;
const FIN_SHARE = `${SUB1_SCOPE}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin/fileServices/default/fileshares/finance`;
const FS01 = "a7c00001-0000-4000-8000-000000000001";
const DELEGATION_CONDITION =
  "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
  `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ROLE_IDS.storageAccountContributor}, ${ROLE_IDS.storageFileDataPrivilegedContributor}} ` +
  "AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))";

function seedWithPrincipals(): SeedInput {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
  seed.principals = [NOBODY, READER, RBAC_ADMIN, AFS_ADMIN_ONLY].map((principalId) => ({ principalId }));
  seed.roleAssignments = [
    ...(seed.roleAssignments ?? []),
    { scope: SUB1_SCOPE, role: "Reader", principalId: READER },
    {
      scope: SUB1_SCOPE,
      role: "Role Based Access Control Administrator",
      principalId: RBAC_ADMIN,
      condition: DELEGATION_CONDITION,
      conditionVersion: "2.0",
    },
    { scope: SUB1_SCOPE, role: "Azure File Sync Administrator", principalId: AFS_ADMIN_ONLY },
  ];
  return seed;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ enforceRbac: true, seed: seedWithPrincipals(), lroMode: "sync" });
});
afterAll(async () => h.emulator.close());

const as = (principalId: string) => {
  const credential = new ManagedIdentityCredential({ clientId: principalId });
  return {
    storageSync: new MicrosoftStorageSync(credential, SUB1, {
      endpoint: h.emulator.armEndpoint,
      apiVersion: "2022-09-01",
    }),
    authorization: new AuthorizationManagementClient(credential, SUB1, { endpoint: h.emulator.armEndpoint }),
  };
};
const assignment = (guid: string, principalType?: "ServicePrincipal") => ({
  roleDefinitionId: `${SUB1_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
  principalId: FS01,
  ...(principalType ? { principalType } : {}),
});

describe("RBAC enforcement of the caller's own role assignments", () => {
  it("the seeded automation identity (Azure File Sync Administrator) manages sync and grants the File Sync roles", async () => {
    const updated = await h
      .storageSync()
      .storageSyncServices.beginUpdateAndWait("rg-filesync", "sss-prod", { parameters: { tags: { by: "afs-admin" } } });
    expect(updated.tags).toEqual({ by: "afs-admin" });
    const created = await h
      .authorization()
      .roleAssignments.create(
        FIN_SHARE,
        "4a000000-0000-4000-8000-000000000001",
        assignment(ROLE_IDS.storageFileDataPrivilegedContributor, "ServicePrincipal"),
      );
    expect(created.principalId).toBe(FS01);
  });

  it("async long-running writes and their status polls pass the same checks", async () => {
    await h.emulator.admin.setSettings({ lroMode: "async" });
    try {
      const updated = await h.storageSync().storageSyncServices.beginUpdateAndWait("rg-filesync", "sss-prod", {
        parameters: { tags: { by: "async" } },
        updateIntervalInMs: 10,
      });
      expect(updated.tags).toEqual({ by: "async" });
      const polls = (await h.emulator.admin.requests()).filter(
        (e) => e.operationId === "OperationStatus_Get" || e.operationId === "StorageSync_OperationResults",
      );
      expect(polls.length).toBeGreaterThan(0);
      expect(polls.every((e) => e.status < 400)).toBe(true);
    } finally {
      await h.emulator.admin.setSettings({ lroMode: "sync" });
    }
  });

  it("Azure File Sync Administrator's built-in condition refuses other roles with 403 AuthorizationFailed", async () => {
    await expect(
      h
        .authorization()
        .roleAssignments.create(
          FIN_SHARE,
          "4a000000-0000-4000-8000-000000000002",
          assignment(ROLE_IDS.owner, "ServicePrincipal"),
        ),
    ).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
      message: expect.stringContaining("ABAC condition"),
    });
  });

  it("Azure File Sync Administrator is served as Azure defines it: roleAssignments/write under its condition, no delete", async () => {
    const def = await h.authorization().roleDefinitions.get(SUB1_SCOPE, ROLE_IDS.azureFileSyncAdministrator);
    const permission = def.permissions?.[0] as
      { actions?: string[]; condition?: string; conditionVersion?: string } | undefined;
    expect(def.roleName).toBe("Azure File Sync Administrator");
    expect(permission?.actions).toContain("Microsoft.Authorization/roleAssignments/write");
    expect(permission?.actions?.some((a) => /roleAssignments\/delete|Authorization\/\*$|^\*$/i.test(a))).toBe(false);
    const raw = await plainRequest(
      h,
      "GET",
      `${SUB1_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.azureFileSyncAdministrator}?api-version=2022-04-01`,
    );
    expect(raw.body).toMatchObject({
      properties: {
        permissions: [
          {
            conditionVersion: "2.0",
            condition: expect.stringContaining(
              `{${ROLE_IDS.readerAndDataAccess}, ${ROLE_IDS.storageFileDataPrivilegedContributor}, ${ROLE_IDS.storageAccountContributor}}`,
            ),
          },
        ],
      },
    });
  });

  it("a role assignment DELETE by a caller holding only Azure File Sync Administrator is 403; RBAC Administrator deletes it; both are counted", async () => {
    const name = "4a000000-0000-4000-8000-0000000000de";
    const created = await h
      .authorization()
      .roleAssignments.create(FIN_SHARE, name, assignment(ROLE_IDS.readerAndDataAccess, "ServicePrincipal"));
    await h.emulator.admin.resetCalls();
    await expect(as(AFS_ADMIN_ONLY).authorization.roleAssignments.delete(FIN_SHARE, name)).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
      message: expect.stringContaining("Microsoft.Authorization/roleAssignments/delete"),
    });
    // The seeded automation identity (Azure File Sync Administrator + Reader) cannot either.
    await expect(h.authorization().roleAssignments.delete(FIN_SHARE, name)).rejects.toMatchObject({ statusCode: 403 });
    await expect(as(RBAC_ADMIN).authorization.roleAssignments.delete(FIN_SHARE, name)).resolves.toMatchObject({
      id: created.id,
    });
    await expect(h.authorization().roleAssignments.get(FIN_SHARE, name)).rejects.toMatchObject({
      statusCode: 404,
      code: "RoleAssignmentNotFound",
    });
    expect((await h.emulator.admin.calls()).byOperation.RoleAssignments_Delete).toEqual({ reads: 0, writes: 3 });
  });

  it("a principal without any role gets 403 on reads and writes", async () => {
    const nobody = as(NOBODY);
    await expect(nobody.storageSync.storageSyncServices.get("rg-filesync", "sss-prod")).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    await expect(
      nobody.authorization.roleAssignments.create(
        FIN_SHARE,
        "4a000000-0000-4000-8000-000000000003",
        assignment(ROLE_IDS.storageFileDataPrivilegedContributor, "ServicePrincipal"),
      ),
    ).rejects.toMatchObject({
      statusCode: 403,
      message: expect.stringContaining("Microsoft.Authorization/roleAssignments/write"),
    });
  });

  it("Reader reads but cannot write", async () => {
    const reader = as(READER);
    await expect(reader.storageSync.storageSyncServices.get("rg-filesync", "sss-prod")).resolves.toMatchObject({
      id: SERVICE1,
    });
    await expect(
      reader.storageSync.storageSyncServices.beginUpdateAndWait("rg-filesync", "sss-prod", {
        parameters: { tags: { by: "reader" } },
      }),
    ).rejects.toMatchObject({
      statusCode: 403,
      message: expect.stringContaining("Microsoft.StorageSync/storageSyncServices/write"),
    });
  });

  it("RBAC Administrator with a delegation condition: only the named roles, only for service principals", async () => {
    const admin = as(RBAC_ADMIN).authorization;
    await expect(
      admin.roleAssignments.create(
        FIN_SHARE,
        "4a000000-0000-4000-8000-000000000004",
        assignment(ROLE_IDS.storageAccountContributor),
      ),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      admin.roleAssignments.create(
        FIN_SHARE,
        "4a000000-0000-4000-8000-000000000004",
        assignment(ROLE_IDS.owner, "ServicePrincipal"),
      ),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      admin.roleAssignments.create(
        FIN_SHARE,
        "4a000000-0000-4000-8000-000000000004",
        assignment(ROLE_IDS.storageAccountContributor, "ServicePrincipal"),
      ),
    ).resolves.toMatchObject({
      principalId: FS01,
    });
  });

  it("Azure File Sync Administrator alone cannot read Arc machines (that needs Reader)", async () => {
    const token = (
      await new ManagedIdentityCredential({ clientId: AFS_ADMIN_ONLY }).getToken(`${h.emulator.armEndpoint}/.default`)
    )?.token;
    const machine = `${SUB1_SCOPE}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs01?api-version=2024-07-10`;
    const denied = await plainRequest(h, "GET", machine, undefined, token);
    expect(denied.status).toBe(403);
    const allowed = await plainRequest(h, "GET", machine);
    expect(allowed.status).toBe(200);
  });

  it("GET subscription answers its tenantId to a caller holding a role in it, 403 to one holding none", async () => {
    const path = `${SUB1_SCOPE}?api-version=2022-12-01`;
    const token = async (p: string) =>
      (await new ManagedIdentityCredential({ clientId: p }).getToken(`${h.emulator.armEndpoint}/.default`))?.token;
    expect((await plainRequest(h, "GET", path, undefined, await token(AFS_ADMIN_ONLY))).body).toMatchObject({
      subscriptionId: SUB1,
      tenantId: TEST_TENANT_ID,
    });
    const denied = await plainRequest(h, "GET", path, undefined, await token(NOBODY));
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: "AuthorizationFailed" } });
  });

  it("requests without a bearer token get 401 whatever the enforcement", async () => {
    const r = await plainRequest(h, "GET", `${SERVICE1}?api-version=2022-09-01`, undefined, null);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: { code: "AuthenticationFailed" } });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
