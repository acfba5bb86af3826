import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSeed } from "../../../../dev/emulator/index";
import { startHarness, type Harness } from "../../support/emulator-harness";

const SEEDS = join(__dirname, "../../../../dev/seeds");
const files = readdirSync(SEEDS).filter((f) => f.endsWith(".json"));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ lroMode: "sync", enforceRbac: true });
});
afterAll(async () => h.emulator.close());

describe("shipped seeds", () => {
  it("include the demo topology", () => {
    expect(files).toContain("demo.json");
  });

  for (const file of files) {
    it(`${file} loads, and its caller can list every service and its servers under RBAC enforcement`, async () => {
      const raw = JSON.parse(readFileSync(join(SEEDS, file), "utf8")) as unknown;
      const seed = parseSeed(raw, file);
      await h.emulator.admin.loadSeed(seed);
      const expected = seed.subscriptions.flatMap((s) =>
        s.resourceGroups.flatMap((g) =>
          g.storageSyncServices.map((svc) => ({ sub: s.subscriptionId, rg: g.name, svc })),
        ),
      );
      expect(expected.length).toBeGreaterThan(0);
      for (const { sub, rg, svc } of expected) {
        const client = h.storageSync(sub);
        const servers = [];
        for await (const srv of client.registeredServers.listByStorageSyncService(rg, svc.name))
          servers.push(srv.serverId);
        expect(servers.sort()).toEqual(svc.registeredServers.map((s) => s.serverId).sort());
      }
    });
  }
});
