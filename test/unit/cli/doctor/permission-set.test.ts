import fc from "fast-check";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingActions } from "../../../../src/cli/doctor/missing-actions";
import { actionMatches, conditionAllows, entriesAllowing } from "../../../../src/cli/doctor/permission-set";
import { requiredAt } from "../../../../src/cli/doctor/required-actions";

const WRITE = "Microsoft.Authorization/roleAssignments/write";
const DELETE = "Microsoft.Authorization/roleAssignments/delete";
const SAC = "17d1049b-9a84-46fb-8f53-869881c3d3ab";
const SFDPC = "69566ab7-960f-475b-8e7c-b3118f30c6bd";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/**
 * The delegation condition infra/app/roles.bicep attaches to the app's role (read from the file, so the two cannot
 * drift).
 */
function infraCondition(): string {
  const bicep = readFileSync(path.resolve(__dirname, "../../../../infra/app/roles.bicep"), "utf8");
  const m = /var delegationCondition = '''([\s\S]*?)'''/.exec(bicep);
  if (!m?.[1]) throw new Error("delegationCondition not found in roles.bicep");
  return m[1];
}

const FILE_SYNC_ADMIN_CONDITION = `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {c12c1c16-33a1-487b-954d-41c89c60f349, ${SFDPC}, ${SAC}}))`;

describe("action matching", () => {
  it("wildcards and case", () => {
    expect(actionMatches("*/read", "Microsoft.StorageSync/storageSyncServices/read")).toBe(true);
    expect(
      actionMatches(
        "Microsoft.StorageSync/storageSyncServices/*",
        "microsoft.storagesync/storagesyncservices/registeredServers/write",
      ),
    ).toBe(true);
    expect(actionMatches("*/read", "Microsoft.StorageSync/storageSyncServices/write")).toBe(false);
  });

  it("notActions of the same entry take an action away (Contributor has no role assignment writes)", () => {
    const contributor = {
      actions: ["*"],
      notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"],
    };
    expect(entriesAllowing([contributor], WRITE)).toEqual([]);
    expect(entriesAllowing([contributor], "Microsoft.StorageSync/storageSyncServices/write")).toHaveLength(1);
  });
});

describe("delegation conditions", () => {
  it("File Sync Administrator's condition lets both File Sync roles through, not others", () => {
    for (const role of [SAC, SFDPC])
      expect(
        conditionAllows(FILE_SYNC_ADMIN_CONDITION, WRITE, {
          roleDefinitionGuid: role,
          principalType: "ServicePrincipal",
        }),
      ).toBe(true);
    expect(
      conditionAllows(FILE_SYNC_ADMIN_CONDITION, WRITE, {
        roleDefinitionGuid: READER,
        principalType: "ServicePrincipal",
      }),
    ).toBe(false);
  });

  it("the deployment's own condition: both roles for service principals, writes and deletes alike; nothing else", () => {
    const condition = infraCondition();
    for (const action of [WRITE, DELETE]) {
      for (const role of [SAC, SFDPC]) {
        expect(
          conditionAllows(condition, action, { roleDefinitionGuid: role, principalType: "ServicePrincipal" }),
        ).toBe(true);
        expect(conditionAllows(condition, action, { roleDefinitionGuid: role, principalType: "User" })).toBe(false);
      }
      expect(
        conditionAllows(condition, action, { roleDefinitionGuid: READER, principalType: "ServicePrincipal" }),
      ).toBe(false);
    }
  });

  it("a condition that does not guard the action lets it through", () => {
    expect(
      conditionAllows(FILE_SYNC_ADMIN_CONDITION, DELETE, { roleDefinitionGuid: READER, principalType: "User" }),
    ).toBe(true);
  });

  it("any role GUID not listed is refused (property)", () => {
    fc.assert(
      fc.property(fc.uuid(), (role) => {
        fc.pre(![SAC, SFDPC, "c12c1c16-33a1-487b-954d-41c89c60f349"].includes(role.toLowerCase()));
        return !conditionAllows(FILE_SYNC_ADMIN_CONDITION, WRITE, {
          roleDefinitionGuid: role,
          principalType: "ServicePrincipal",
        });
      }),
    );
  });
});

describe("missing actions", () => {
  const fileSyncAdmin = {
    actions: [
      "Microsoft.StorageSync/storageSyncServices/*",
      WRITE,
      "Microsoft.Authorization/*/read",
      "Microsoft.Storage/storageAccounts/read",
    ],
    notActions: [],
    condition: FILE_SYNC_ADMIN_CONDITION,
  };

  it("File Sync Administrator covers a storage account without pruning; pruning needs deletes it lacks", () => {
    expect(missingActions([fileSyncAdmin], requiredAt("storageAccount", false))).toEqual([]);
    expect(missingActions([fileSyncAdmin], requiredAt("storageAccount", true)).map((m) => m.required.action)).toEqual([
      DELETE,
    ]);
  });

  it("a write allowed only under a condition refusing a File Sync role is missing for the condition", () => {
    const narrow = { ...fileSyncAdmin, condition: FILE_SYNC_ADMIN_CONDITION.replace(`${SFDPC}, `, "") };
    expect(missingActions([narrow], requiredAt("storageAccount", false))).toEqual([
      expect.objectContaining({ reason: "condition" }),
    ]);
  });

  it("Reader alone lacks exactly the writes", () => {
    const reader = { actions: ["*/read"], notActions: [] };
    expect(missingActions([reader], requiredAt("service", false)).map((m) => m.required.action)).toEqual([
      "Microsoft.StorageSync/storageSyncServices/write",
      "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
    ]);
  });
});
