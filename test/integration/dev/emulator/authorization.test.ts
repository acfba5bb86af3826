import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_IDS } from "../../../../dev/emulator/index";
import { plainRequest, SUB1, SUB2, responseProblems, startHarness, type Harness } from "../../support/emulator-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ delays: { principalReplicationMs: 30_000 } });
});
afterAll(async () => h.emulator.close());

const FIN_ACCOUNT = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin`;
const FIN_SHARE = `${FIN_ACCOUNT}/fileServices/default/fileshares/finance`;
const HR_SHARE = `/subscriptions/${SUB2}/resourceGroups/rg-storage-hr/providers/Microsoft.Storage/storageAccounts/stcontosohr/fileServices/default/fileshares/hr`;
const FS01 = "a7c00001-0000-4000-8000-000000000001";
const FS05 = "a7c00005-0000-4000-8000-000000000005";
const roleId = (sub: string, guid: string): string =>
  `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

describe("Microsoft.Authorization role assignments through @azure/arm-authorization", () => {
  it("creates at a file-share scope (the SDK's //subscriptions path), gets, lists and deletes", async () => {
    const client = h.authorization(SUB1);
    const name = "3b1c0000-0000-4000-8000-000000000001";
    const created = await client.roleAssignments.create(FIN_SHARE, name, {
      roleDefinitionId: roleId(SUB1, ROLE_IDS.storageFileDataPrivilegedContributor),
      principalId: FS01,
      principalType: "ServicePrincipal",
    });
    expect(created).toMatchObject({ name, principalId: FS01, scope: FIN_SHARE, principalType: "ServicePrincipal" });
    const log = await h.emulator.admin.requests();
    expect(log.some((e) => e.operationId === "RoleAssignments_Create" && e.path.startsWith("//subscriptions/"))).toBe(
      true,
    );

    const got = await client.roleAssignments.get(FIN_SHARE, name);
    expect(got.id).toBe(created.id);
    const byId = await client.roleAssignments.getById(created.id!);
    expect(byId.name).toBe(name);

    const deleted = await client.roleAssignments.delete(FIN_SHARE, name);
    expect(deleted.name).toBe(name);
    await expect(client.roleAssignments.get(FIN_SHARE, name)).rejects.toMatchObject({
      statusCode: 404,
      code: "RoleAssignmentNotFound",
    });
  });

  it("answers 409 RoleAssignmentExists for the same scope, principal and role under another name", async () => {
    const client = h.authorization(SUB2);
    const props = {
      roleDefinitionId: roleId(SUB2, ROLE_IDS.storageFileDataPrivilegedContributor),
      principalId: FS01,
      principalType: "ServicePrincipal" as const,
    };
    await client.roleAssignments.create(HR_SHARE, "3b1c0000-0000-4000-8000-000000000002", props);
    // The same name and content again is idempotent.
    await expect(
      client.roleAssignments.create(HR_SHARE, "3b1c0000-0000-4000-8000-000000000002", props),
    ).resolves.toMatchObject({ principalId: FS01 });
    await expect(
      client.roleAssignments.create(HR_SHARE, "3b1c0000-0000-4000-8000-000000000003", props),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: "RoleAssignmentExists",
    });
  });

  it("answers 400 PrincipalNotFound for a principal still replicating, unless principalType is sent", async () => {
    const client = h.authorization(SUB1);
    const fresh = await h.emulator.admin.addPrincipal({ displayName: "new machine identity" });
    const props = {
      roleDefinitionId: roleId(SUB1, ROLE_IDS.storageFileDataPrivilegedContributor),
      principalId: fresh.principalId,
    };
    await expect(
      client.roleAssignments.create(FIN_SHARE, "3b1c0000-0000-4000-8000-000000000004", props),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: "PrincipalNotFound",
    });
    await expect(
      client.roleAssignments.create(FIN_SHARE, "3b1c0000-0000-4000-8000-000000000004", {
        ...props,
        principalType: "ServicePrincipal",
      }),
    ).resolves.toMatchObject({
      principalId: fresh.principalId,
    });
    // Once replicated, principalType is no longer needed.
    await h.emulator.admin.advanceTime(30_000);
    await expect(
      client.roleAssignments.create(FIN_ACCOUNT, "3b1c0000-0000-4000-8000-000000000005", {
        ...props,
        roleDefinitionId: roleId(SUB1, ROLE_IDS.storageAccountContributor),
      }),
    ).resolves.toMatchObject({ principalId: fresh.principalId });
  });

  it("a reset Arc identity's old principal is gone from the directory: PrincipalNotFound without principalType", async () => {
    const machine = `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fsnode2`;
    const old = "a7c00102-0000-4000-8000-000000000102";
    await h.emulator.admin.setMachineIdentity(machine, "reset");
    const props = { roleDefinitionId: roleId(SUB1, ROLE_IDS.storageFileDataPrivilegedContributor), principalId: old };
    await expect(
      h.authorization(SUB1).roleAssignments.create(FIN_SHARE, "3b1c0000-0000-4000-8000-00000000000a", props),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: "PrincipalNotFound",
    });
  });

  it("answers 404 for a scope whose resource, group or subscription does not exist", async () => {
    const client = h.authorization(SUB1);
    const props = {
      roleDefinitionId: roleId(SUB1, ROLE_IDS.storageFileDataPrivilegedContributor),
      principalId: FS01,
      principalType: "ServicePrincipal" as const,
    };
    await expect(
      client.roleAssignments.create(
        `${FIN_ACCOUNT}/fileServices/default/fileshares/nope`,
        "3b1c0000-0000-4000-8000-000000000006",
        props,
      ),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
    await expect(
      client.roleAssignments.create(
        `/subscriptions/${SUB1}/resourceGroups/rg-nope`,
        "3b1c0000-0000-4000-8000-000000000006",
        props,
      ),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceGroupNotFound",
    });
    await expect(
      client.roleAssignments.create(
        "/subscriptions/99999999-9999-4999-8999-999999999999",
        "3b1c0000-0000-4000-8000-000000000006",
        props,
      ),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
    });
  });

  it("rejects an unknown role definition and a malformed assignment name", async () => {
    const client = h.authorization(SUB1);
    const props = {
      roleDefinitionId: roleId(SUB1, "00000000-0000-4000-8000-0000000000ff"),
      principalId: FS01,
      principalType: "ServicePrincipal" as const,
    };
    await expect(
      client.roleAssignments.create(FIN_SHARE, "3b1c0000-0000-4000-8000-000000000007", props),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleDefinitionDoesNotExist",
    });
    await expect(
      client.roleAssignments.create(FIN_SHARE, "not-a-guid", {
        ...props,
        roleDefinitionId: roleId(SUB1, ROLE_IDS.reader),
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
    });
    // The role definition id must be qualified with the scope's own subscription.
    await expect(
      h.authorization(SUB2).roleAssignments.create(HR_SHARE, "3b1c0000-0000-4000-8000-000000000008", {
        ...props,
        roleDefinitionId: roleId(SUB1, ROLE_IDS.reader),
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: "RoleDefinitionDoesNotExist" });
  });

  it("refuses a body scope that differs from the URI's", async () => {
    const r = await plainRequest(
      h,
      "PUT",
      `${FIN_SHARE}/providers/Microsoft.Authorization/roleAssignments/3b1c0000-0000-4000-8000-000000000009?api-version=2022-04-01`,
      {
        properties: {
          roleDefinitionId: roleId(SUB1, ROLE_IDS.reader),
          principalId: FS01,
          principalType: "ServicePrincipal",
          scope: `/subscriptions/${SUB1}`,
        },
      },
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: "InvalidCreateRoleAssignmentRequest" } });
  });

  it("lists with atScope(), principalId eq and assignedTo() using ARM's ancestor/descendant semantics", async () => {
    const client = h.authorization(SUB1);
    const projects = `${FIN_ACCOUNT}/fileServices/default/fileshares/projects`;
    const names = async (scope: string, filter?: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const a of client.roleAssignments.listForScope(scope, filter ? { filter } : {}))
        out.push(`${a.principalId}@${a.scope}`);
      return out.sort();
    };
    // fs05's assignment sits on the resource group: inherited at the share (above), found from the subscription
    // (below).
    const rgScope = `/subscriptions/${SUB1}/resourceGroups/rg-storage`;
    expect(await names(projects, `atScope() and assignedTo('${FS05}')`)).toEqual([`${FS05}@${rgScope}`]);
    expect(await names(projects, `principalId eq '${FS05}'`)).toEqual([`${FS05}@${rgScope}`]);
    expect(await names(`/subscriptions/${SUB1}`, `principalId eq '${FS05}'`)).toEqual([`${FS05}@${rgScope}`]);
    expect(await names(`/subscriptions/${SUB1}`, `atScope() and principalId eq '${FS05}'`)).toEqual([]);
    // Unfiltered at the share: everything at or above it (the caller's subscription roles) plus below (none).
    const atShare = await names(projects);
    expect(atShare).toContain(`${FS05}@${rgScope}`);
    expect(atShare).toContain(`${h.emulator.callerPrincipalId}@/subscriptions/${SUB1}`);
    expect(atShare.every((a) => !a.includes(SUB2))).toBe(true);
    const subList = [];
    for await (const a of client.roleAssignments.listForSubscription({ filter: `assignedTo('${FS05}')` }))
      subList.push(a.name);
    expect(subList).toEqual(["0d000005-0000-4000-8000-000000000005"]);
  });

  it("rejects an unsupported $filter", async () => {
    const r = await plainRequest(
      h,
      "GET",
      `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent("displayName eq 'x'")}`,
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: "InvalidFilterInQueryString" } });
  });

  it("gets the built-in role definitions File Sync and the automation use", async () => {
    const client = h.authorization(SUB1);
    for (const [guid, name] of [
      [ROLE_IDS.storageAccountContributor, "Storage Account Contributor"],
      [ROLE_IDS.storageFileDataPrivilegedContributor, "Storage File Data Privileged Contributor"],
      [ROLE_IDS.azureFileSyncAdministrator, "Azure File Sync Administrator"],
      [ROLE_IDS.rbacAdministrator, "Role Based Access Control Administrator"],
    ] as const) {
      const def = await client.roleDefinitions.get(`/subscriptions/${SUB1}`, guid);
      expect(def).toMatchObject({ name: guid, roleName: name, roleType: "BuiltInRole" });
      expect(def.id).toBe(roleId(SUB1, guid));
    }
    await expect(
      client.roleDefinitions.get(`/subscriptions/${SUB1}`, "00000000-0000-4000-8000-0000000000ff"),
    ).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
