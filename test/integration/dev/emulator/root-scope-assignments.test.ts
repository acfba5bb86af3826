import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, ROLE_IDS, type SeedInput } from "../../../../dev/emulator/index";
import { plainRequest, responseProblems, startHarness, SUB1, type Harness } from "../../support/emulator-harness";

/** ARM answers `properties.scope: "/"` for a root-scope assignment (not ""): seeded and created ones alike. */

const FIN_ACCOUNT = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin`;
const FS01 = "a7c00001-0000-4000-8000-000000000001";
const FS05 = "a7c00005-0000-4000-8000-000000000005";
const SEEDED = "4a0f0000-0000-4000-8000-000000000001";
const CREATED = "4a0f0000-0000-4000-8000-000000000002";
const rootId = (name: string): string => `/providers/Microsoft.Authorization/roleAssignments/${name}`;

function seedWithRootAssignment(): SeedInput {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
  seed.roleAssignments = [
    ...(seed.roleAssignments ?? []),
    {
      scope: "/",
      name: SEEDED,
      role: "Storage File Data Privileged Contributor",
      principalId: FS01,
      principalType: "ServicePrincipal",
    },
  ];
  return seed;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: seedWithRootAssignment() });
});
afterAll(async () => h.emulator.close());

describe("root-scope role assignments", () => {
  it("a seeded one reads back with scope '/' from atScope(), assignedTo() and principalId lists at an account, and by id", async () => {
    const client = h.authorization(SUB1);
    for (const filter of ["atScope()", `assignedTo('${FS01}')`, `principalId eq '${FS01}'`]) {
      const listed = [];
      for await (const a of client.roleAssignments.listForScope(FIN_ACCOUNT, { filter })) listed.push(a);
      expect(
        listed.find((a) => a.name === SEEDED),
        filter,
      ).toMatchObject({ id: rootId(SEEDED), scope: "/", principalId: FS01 });
    }
    expect(await client.roleAssignments.getById(rootId(SEEDED))).toMatchObject({ name: SEEDED, scope: "/" });
    // The wire shape itself, not only the SDK's model.
    const raw = await plainRequest(h, "GET", `${rootId(SEEDED)}?api-version=2022-04-01`);
    expect(raw.body).toMatchObject({ id: rootId(SEEDED), properties: { scope: "/" } });
  });

  it("one created at '/' through the SDK reads back with scope '/', and other scopes keep their own", async () => {
    const client = h.authorization(SUB1);
    const created = await client.roleAssignments.create("/", CREATED, {
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
      principalId: FS05,
      principalType: "ServicePrincipal",
    });
    expect(created).toMatchObject({ id: rootId(CREATED), scope: "/" });
    expect(await client.roleAssignments.getById(rootId(CREATED))).toMatchObject({ scope: "/" });
    const listed = [];
    for await (const a of client.roleAssignments.listForScope(FIN_ACCOUNT, { filter: `assignedTo('${FS05}')` }))
      listed.push(a);
    expect(listed.find((a) => a.name === CREATED)).toMatchObject({ scope: "/" });
    const all = [];
    for await (const a of client.roleAssignments.listForScope(FIN_ACCOUNT, { filter: "atScope()" })) all.push(a);
    for (const a of all) {
      if (a.scope !== "/")
        expect(
          a.id
            ?.toLowerCase()
            .startsWith(`${a.scope?.toLowerCase()}/providers/microsoft.authorization/roleassignments/`),
        ).toBe(true);
    }
    expect(await responseProblems(h)).toEqual([]);
  });
});
