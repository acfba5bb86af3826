import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, type SeedInput } from "../../../../dev/emulator/index";
import { createRoleAssignment, ROLE } from "../../../../src/lib/azure/role-assignments";
import { useEngineHarness } from "../../support/reconcile-harness";

/**
 * What a grant's PUT did, told apart by ARM's answer: 201 made it, 200 found it, 200 after a lost answer may be this
 * call's own.
 */
const SUB1 = "11111111-1111-4111-8111-111111111111";
const PROD = `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod`;

const harness = useEngineHarness();
beforeAll(async () => {
  await harness.load(JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput);
  await harness.emulator.admin.advanceTime(60_000);
});

const creates = async () =>
  (await harness.emulator.admin.requests())
    .filter((r) => r.operationId === "RoleAssignments_Create")
    .map((r) => r.status);

describe("createRoleAssignment", () => {
  it("a PUT identical to an existing assignment answers 200 and is alreadyPresent, not created", async () => {
    const grant = {
      scope: PROD,
      principalId: "a7c00002-0000-4000-8000-000000000002",
      roleDefinitionGuid: ROLE.storageAccountContributor,
    };
    expect((await createRoleAssignment(harness.arm, grant)).status).toBe("created");
    const writesBefore = (await harness.emulator.admin.writes()).length;
    expect((await createRoleAssignment(harness.arm, grant)).status).toBe("alreadyPresent");
    expect((await creates()).slice(-2)).toEqual([201, 200]);
    // ARM changed nothing the second time: no write was applied.
    expect((await harness.emulator.admin.writes()).length).toBe(writesBefore);
  });

  it("an SDK retry after ARM applied the write but its answer was lost is created: the 200 is this call's own work", async () => {
    await harness.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create" },
      effect: { kind: "dropAfterApply" },
      times: 1,
    });
    const grant = {
      scope: PROD,
      principalId: "a7c00003-0000-4000-8000-000000000003",
      roleDefinitionGuid: ROLE.storageAccountContributor,
    };
    const result = await createRoleAssignment(harness.arm, grant, {
      clientRequestId: "c0ffee00-0000-4000-8000-000000000001",
    });
    expect(result.status).toBe("created");
    const applied = (await harness.emulator.admin.writes()).filter(
      (w) => w.clientRequestId === "c0ffee00-0000-4000-8000-000000000001",
    );
    expect(applied).toHaveLength(1);
  });
});
