import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conditionAllows, roleConditionAllows } from "../../../../dev/emulator/rbac";
import { actionMatches, findRole, ROLE_IDS, roleAllows } from "../../../../dev/emulator/roles";

const condition = (roles: string[], servicePrincipalOnly: boolean): string =>
  `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roles.join(", ")}}` +
  (servicePrincipalOnly
    ? " AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}"
    : "") +
  "))";

describe("delegation conditions", () => {
  it("allows exactly the listed roles, and only service principals when asked", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 4 }),
        fc.uuid(),
        fc.boolean(),
        fc.constantFrom("ServicePrincipal", "User", undefined),
        (allowed, other, spOnly, principalType) => {
          const c = condition(allowed, spOnly);
          const typeOk = !spOnly || principalType === "ServicePrincipal";
          expect(conditionAllows(c, { roleDefinitionGuid: allowed[0]!, principalType })).toBe(typeOk);
          if (!allowed.includes(other))
            expect(conditionAllows(c, { roleDefinitionGuid: other, principalType })).toBe(false);
        },
      ),
    );
  });

  it("an unreadable condition denies", () => {
    expect(
      conditionAllows("@Resource[whatever] StringEquals 'x'", {
        roleDefinitionGuid: ROLE_IDS.reader,
        principalType: "ServicePrincipal",
      }),
    ).toBe(false);
  });
});

describe("built-in roles", () => {
  it("wildcards match like ARM's, case-insensitively", () => {
    expect(actionMatches("*/read", "Microsoft.HybridCompute/machines/read")).toBe(true);
    expect(
      actionMatches(
        "Microsoft.StorageSync/storageSyncServices/*",
        "microsoft.storagesync/storagesyncservices/registeredservers/write",
      ),
    ).toBe(true);
    expect(actionMatches("*/read", "Microsoft.StorageSync/storageSyncServices/write")).toBe(false);
  });

  it("Contributor cannot write role assignments; Owner and User Access Administrator can", () => {
    const action = "Microsoft.Authorization/roleAssignments/write";
    expect(roleAllows(findRole("Contributor")!, action)).toBe(false);
    expect(roleAllows(findRole(ROLE_IDS.owner)!, action)).toBe(true);
    expect(
      roleAllows(
        findRole(
          `/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.userAccessAdministrator}`,
        )!,
        action,
      ),
    ).toBe(true);
  });

  it("Azure File Sync Administrator writes role assignments only for the File Sync roles, and cannot delete any", () => {
    const afs = findRole("Azure File Sync Administrator")!;
    const write = "Microsoft.Authorization/roleAssignments/write";
    expect(roleAllows(afs, write)).toBe(true);
    expect(roleAllows(afs, "Microsoft.Authorization/roleAssignments/delete")).toBe(false);
    expect(roleAllows(afs, "Microsoft.Authorization/roleAssignments/read")).toBe(true);
    for (const g of [
      ROLE_IDS.readerAndDataAccess,
      ROLE_IDS.storageFileDataPrivilegedContributor,
      ROLE_IDS.storageAccountContributor,
    ]) {
      expect(roleConditionAllows(afs.condition!, write, { roleDefinitionGuid: g })).toBe(true);
    }
    fc.assert(
      fc.property(fc.uuid(), (g) => {
        fc.pre(
          ![
            ROLE_IDS.readerAndDataAccess,
            ROLE_IDS.storageFileDataPrivilegedContributor,
            ROLE_IDS.storageAccountContributor,
          ].includes(g as never),
        );
        expect(roleConditionAllows(afs.condition!, write, { roleDefinitionGuid: g })).toBe(false);
      }),
    );
    // The condition only guards role assignment writes: other actions pass it.
    expect(roleConditionAllows(afs.condition!, "Microsoft.StorageSync/storageSyncServices/write", undefined)).toBe(
      true,
    );
  });
});
