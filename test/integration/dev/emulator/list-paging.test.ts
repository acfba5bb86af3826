import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseProblems, SERVICE1, SUB1, sendRaw, startHarness, type Harness } from "../../support/emulator-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ listPageSize: 3 });
});
afterAll(async () => h.emulator.close());

describe("optional list paging (nextLink)", () => {
  it("pages registered servers three at a time; following nextLink yields each server once", async () => {
    const client = h.storageSync();
    const seen: string[] = [];
    let url: string | undefined = `${SERVICE1}/registeredServers?api-version=2022-09-01`;
    let pages = 0;
    while (url) {
      const r = await sendRaw(client, h.emulator.armEndpoint, "GET", url);
      const body = r.body as { value: { name: string }[]; nextLink?: string };
      expect(body.value.length).toBeLessThanOrEqual(3);
      seen.push(...body.value.map((s) => s.name));
      url = body.nextLink;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(8);
    expect(seen).toHaveLength(8);
  });

  it("the SDK's pageable role assignment list follows nextLink by itself", async () => {
    await h.emulator.admin.setSettings({ listPageSize: 2 });
    await h.emulator.admin.resetCalls();
    const names: string[] = [];
    for await (const a of h.authorization().roleAssignments.listForSubscription()) names.push(a.name ?? "");
    // Demo seed: the caller's two roles on subscription 1 plus fs05's grant in a resource group below it.
    expect(names.sort()).toEqual([
      "0d000001-0000-4000-8000-000000000001",
      "0d000003-0000-4000-8000-000000000003",
      "0d000005-0000-4000-8000-000000000005",
    ]);
    expect((await h.emulator.admin.calls()).byOperation.RoleAssignments_ListForSubscription?.reads).toBe(2);
  });

  it("can be switched off at run time", async () => {
    await h.emulator.admin.setSettings({ listPageSize: 0 });
    const r = await sendRaw(
      h.storageSync(),
      h.emulator.armEndpoint,
      "GET",
      `/subscriptions/${SUB1}/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod/registeredServers?api-version=2022-09-01`,
    );
    expect((r.body as { value: unknown[]; nextLink?: string }).value).toHaveLength(8);
    expect(r.body).not.toHaveProperty("nextLink");
    expect(await responseProblems(h)).toEqual([]);
  });
});
