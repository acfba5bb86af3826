import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, ROLE_IDS, type SeedInput } from "../../../../dev/emulator/index";
import {
  responseProblems,
  SERVICE1,
  sendLongRunning,
  sendRaw,
  startHarness,
  SUB1,
  type Harness,
} from "../../support/emulator-harness";

/**
 * The `ignoreWrite` fault: a write answered as usual whose change does not
 * stick, so the product's read-back disagrees (as an eventually consistent
 * ARM read can). Through the SDK clients, in both LRO modes.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ lroMode: "sync" });
});
afterAll(async () => h.emulator.close());

const FS01 = `${SERVICE1}/registeredServers/5e7e0001-0000-4000-8000-000000000001`;
const API = "api-version=2022-09-01";
const serverProps = async () =>
  (
    (await sendRaw(h.storageSync(), h.emulator.armEndpoint, "GET", `${FS01}?${API}`)).body as {
      properties: { identity: boolean; applicationId: string };
    }
  ).properties;

describe("ignoreWrite fault", () => {
  it("a registered server switch answers 200 with the unchanged server, the read-back disagrees, and the next PATCH sticks (sync and async)", async () => {
    for (const lroMode of ["sync", "async"] as const) {
      await h.emulator.admin.loadSeed(JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput);
      await h.emulator.admin.setSettings({ lroMode });
      await h.emulator.admin.addFault({
        match: { method: "PATCH", pathContains: "/registeredServers/5e7e0001" },
        effect: { kind: "ignoreWrite" },
        times: 1,
      });
      const { final } = await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${FS01}?${API}`, {
        properties: { identity: true },
      });
      expect((final as { properties: { identity: boolean } }).properties.identity).toBe(false);
      expect(await serverProps()).toMatchObject({
        identity: false,
        applicationId: "00000000-0000-0000-0000-000000000000",
      });
      await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${FS01}?${API}`, {
        properties: { identity: true },
      });
      expect(await serverProps()).toMatchObject({
        identity: true,
        applicationId: "a7c00001-0000-4000-8000-000000000001",
      });
    }
    await h.emulator.admin.setSettings({ lroMode: "sync" });
  });

  it("a service update through the SDK poller returns the old tags; a role assignment create answers 201 but is not there", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "StorageSyncServices_Update" },
      effect: { kind: "ignoreWrite" },
      times: 1,
    });
    const before = await h.storageSync().storageSyncServices.get("rg-filesync", "sss-prod");
    const answered = await h
      .storageSync()
      .storageSyncServices.beginUpdateAndWait("rg-filesync", "sss-prod", { parameters: { tags: { lost: "yes" } } });
    expect(answered.tags).toEqual(before.tags);
    expect((await h.storageSync().storageSyncServices.get("rg-filesync", "sss-prod")).tags).toEqual(before.tags);

    await h.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create" },
      effect: { kind: "ignoreWrite" },
      times: 1,
    });
    const share = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin/fileServices/default/fileshares/finance`;
    const name = "1e000000-0000-4000-8000-000000000001";
    const created = await h.authorization().roleAssignments.create(share, name, {
      roleDefinitionId: `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
      principalId: "a7c00001-0000-4000-8000-000000000001",
      principalType: "ServicePrincipal",
    });
    expect(created.name).toBe(name);
    await expect(h.authorization().roleAssignments.get(share, name)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("a malformed effect is refused", async () => {
    await expect(
      h.emulator.admin.addFault({ match: {}, effect: { kind: "ignoreWrites" } as never }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
