import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSeed } from "../../../../dev/emulator/index";
import { startHarness, type Harness } from "../../support/emulator-harness";

const SEEDS = join(__dirname, "../../../../dev/seeds");
const files = readdirSync(SEEDS).filter((f) => f.endsWith(".json"));

/**
 * The servers of each shipped seed that the service does not call Ok; every other server is a healthy
 * current agent. Seeds without a table are judged by the published dates (v17 and v18 expired); the demo
 * shows every status through its own table.
 */
const NOT_OK: Record<string, Record<string, string>> = {
  "clusters.json": { "c2node3.contoso.local": "Expired" },
  "demo.json": { br03: "NearExpiry", br04: "Expired", br05: "Blocked" },
  "many-servers.json": Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [`srv${String((i + 1) * 10).padStart(3, "0")}.contoso.local`, "Expired"]),
  ),
  "minimal.json": {},
};

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
      const statuses: Record<string, string> = {};
      for (const { sub, rg, svc } of expected) {
        const client = h.storageSync(sub);
        const servers = [];
        for await (const srv of client.registeredServers.listByStorageSyncService(rg, svc.name)) {
          servers.push(srv.serverId);
          statuses[srv.friendlyName ?? ""] = (srv as { agentVersionStatus?: string }).agentVersionStatus ?? "";
        }
        expect(servers.sort()).toEqual(svc.registeredServers.map((s) => s.serverId).sort());
      }
      const notOk = NOT_OK[file];
      expect(notOk, `${file}: list its servers that are not Ok in NOT_OK`).toBeDefined();
      expect(Object.fromEntries(Object.entries(statuses).filter(([, status]) => status !== "Ok"))).toEqual(notOk);
    });
  }
});
