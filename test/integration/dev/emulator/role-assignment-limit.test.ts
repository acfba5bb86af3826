import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, ROLE_IDS, type SeedInput } from "../../../../dev/emulator/index";
import { startHarness, SUB1, SUB2, type Harness } from "../../support/emulator-harness";

/**
 * Azure's 4,000 role assignments per subscription
 * (learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits), lowered by the seed:
 * subscription, resource-group and resource scopes count, conditional ones too; the root scope does not.
 */
const FIN_ACCOUNT = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin`;
const FIN_SHARE = `${FIN_ACCOUNT}/fileServices/default/fileshares/finance`;
const FS01_MACHINE = `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs01`;
const principal = (n: number) => `be0c0000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
const name = (n: number) => `4a110000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
const roleId = (guid: string): string =>
  `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

function demoSeed(): SeedInput {
  return JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
}

/** The demo seed with subscription 1 limited to its current count + `room`, holding one conditional assignment. */
function seedWithRoom(base: number, room: number): SeedInput {
  const seed = demoSeed();
  const sub = seed.subscriptions.find((s) => s.subscriptionId === SUB1);
  if (!sub) throw new Error("demo seed changed");
  sub.roleAssignmentLimit = base + 1 + room;
  seed.roleAssignments = [
    ...(seed.roleAssignments ?? []),
    {
      scope: FIN_ACCOUNT,
      role: "Reader",
      principalId: principal(99),
      principalType: "ServicePrincipal",
      condition: "@Resource[x] StringEquals 'y'",
    },
  ];
  return seed;
}

let h: Harness;
let base = 0;
beforeAll(async () => {
  h = await startHarness({ seed: demoSeed() });
  base = await countInSubscription();
});
afterAll(async () => h.emulator.close());

async function countInSubscription(): Promise<number> {
  let n = 0;
  for await (const a of h.authorization(SUB1).roleAssignments.listForSubscription())
    if (a.scope?.toLowerCase().startsWith(`/subscriptions/${SUB1}`)) n++;
  return n;
}

const create = (scope: string, n: number) =>
  h.authorization(SUB1).roleAssignments.create(scope, name(n), {
    roleDefinitionId: roleId(ROLE_IDS.storageFileDataPrivilegedContributor),
    principalId: principal(n),
    principalType: "ServicePrincipal",
  });

describe("role assignments per subscription", () => {
  it("accepts up to the limit, counting the conditional one, then answers 400 RoleAssignmentLimitExceeded; root scope and other subscriptions unaffected", async () => {
    await h.emulator.admin.loadSeed(seedWithRoom(base, 2));
    await create(FIN_SHARE, 1);
    await create(`/subscriptions/${SUB1}/resourceGroups/rg-storage`, 2);
    await expect(create(FIN_ACCOUNT, 3)).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleAssignmentLimitExceeded",
    });
    await expect(create(`/subscriptions/${SUB1}`, 4)).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleAssignmentLimitExceeded",
    });
    // The same assignment again is no new one: still answered as before.
    await expect(create(FIN_SHARE, 1)).resolves.toMatchObject({ principalId: principal(1) });
    // Management-group and root scopes have their own limit; another subscription its own.
    await expect(create("/", 5)).resolves.toMatchObject({ scope: "/" });
    const other = await h.authorization(SUB2).roleAssignments.create(`/subscriptions/${SUB2}`, name(6), {
      roleDefinitionId: `/subscriptions/${SUB2}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.reader}`,
      principalId: principal(6),
      principalType: "ServicePrincipal",
    });
    expect(other.principalId).toBe(principal(6));
    // A deleted assignment frees its place.
    await h.authorization(SUB1).roleAssignments.delete(FIN_SHARE, name(1));
    await expect(create(FIN_ACCOUNT, 3)).resolves.toMatchObject({ principalId: principal(3) });
  });

  it("seeds fill a subscription with existing and orphaned assignments, and refuse more than the limit, naming it", async () => {
    const seed = demoSeed();
    const sub = seed.subscriptions.find((s) => s.subscriptionId === SUB2);
    if (!sub) throw new Error("demo seed changed");
    sub.existingRoleAssignments = { count: 3990, orphaned: 40 };
    await h.emulator.admin.loadSeed(seed);
    const listed = [];
    for await (const a of h.authorization(SUB2).roleAssignments.listForScope(`/subscriptions/${SUB2}`)) listed.push(a);
    expect(listed.filter((a) => a.principalType === "Unknown").length).toBe(40);
    sub.existingRoleAssignments = { count: 4001, orphaned: 0 };
    await expect(h.emulator.admin.loadSeed(seed)).rejects.toThrow(
      /4001 existing role assignments exceed Azure's limit of 4000/,
    );
  });

  it("lists an assignment whose principal was deleted (an Arc identity reset) with principalType Unknown", async () => {
    await h.emulator.admin.loadSeed(demoSeed());
    const old = h.emulator.core.state.machines.get(FS01_MACHINE.toLowerCase())?.identity?.principalId ?? "";
    await h.authorization(SUB1).roleAssignments.create(FIN_SHARE, name(7), {
      roleDefinitionId: roleId(ROLE_IDS.storageFileDataPrivilegedContributor),
      principalId: old,
      principalType: "ServicePrincipal",
    });
    await h.emulator.admin.setMachineIdentity(FS01_MACHINE, "reset");
    expect(await h.authorization(SUB1).roleAssignments.get(FIN_SHARE, name(7))).toMatchObject({
      principalId: old,
      principalType: "Unknown",
    });
  });
});
