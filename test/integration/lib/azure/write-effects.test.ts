import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, type SeedInput } from "../../../../dev/emulator/index";
import { createRoleAssignment, ROLE, roleAssignmentName } from "../../../../src/lib/azure/role-assignments";
import {
  getStorageSyncService,
  listRegisteredServersOf,
  patchRegisteredServerIdentity,
  patchStorageSyncService,
} from "../../../../src/lib/azure/storage-sync";
import { writeTookEffect } from "../../../../src/lib/azure/write-effects";
import { useEngineHarness } from "../../support/reconcile-harness";

/** How the next run resolves a write a killed attempt left `intended`: by reading ARM. */
const SUB1 = "11111111-1111-4111-8111-111111111111";
const PROD = `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;

const harness = useEngineHarness();
beforeAll(async () => {
  await harness.load(JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput);
  await harness.emulator.admin.advanceTime(60_000);
});

describe("writeTookEffect", () => {
  it("a grant took effect once its deterministic assignment exists; a deletion once it reads 404", async () => {
    const principalId = "a7c00001-0000-4000-8000-000000000001";
    const target = `${PROD}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(PROD, principalId, ROLE.storageAccountContributor)}`;
    expect(await writeTookEffect(harness.arm, { kind: "grantRole", target, principalId })).toBe(false);
    expect(await writeTookEffect(harness.arm, { kind: "deleteRoleAssignment", target })).toBe(true);
    await createRoleAssignment(harness.arm, {
      scope: PROD,
      principalId,
      roleDefinitionGuid: ROLE.storageAccountContributor,
    });
    expect(await writeTookEffect(harness.arm, { kind: "grantRole", target, principalId })).toBe(true);
    expect(await writeTookEffect(harness.arm, { kind: "deleteRoleAssignment", target })).toBe(false);
  });

  it("the service's identity and useIdentity, and a server's switch to a given applicationId, read as they are", async () => {
    const before = await getStorageSyncService(harness.arm, PROD);
    expect(await writeTookEffect(harness.arm, { kind: "enableServiceIdentity", target: PROD })).toBe(
      before.identity.principalId !== undefined,
    );
    expect(await writeTookEffect(harness.arm, { kind: "setUseIdentity", target: PROD })).toBe(
      before.useIdentity === true,
    );
    await patchStorageSyncService(harness.arm, PROD, {
      identity: { identityType: "SystemAssigned", userAssignedIdentityIds: [] },
      useIdentity: true,
    });
    expect(await writeTookEffect(harness.arm, { kind: "enableServiceIdentity", target: PROD })).toBe(true);
    expect(await writeTookEffect(harness.arm, { kind: "setUseIdentity", target: PROD })).toBe(true);

    const server = (await listRegisteredServersOf(harness.arm, PROD)).find(
      (s) => s.identity !== true && s.latestApplicationId,
    );
    if (!server?.latestApplicationId)
      throw new Error("the demo seed has a server with a reported identity not yet switched");
    const write = { kind: "switchServer" as const, target: server.resourceId, principalId: server.latestApplicationId };
    expect(await writeTookEffect(harness.arm, write)).toBe(false);
    await patchRegisteredServerIdentity(harness.arm, server.resourceId);
    expect(await writeTookEffect(harness.arm, write)).toBe(true);
    expect(await writeTookEffect(harness.arm, { ...write, principalId: "0bad0000-0000-4000-8000-000000000000" })).toBe(
      false,
    );
  });
});
