import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SeedInput } from "../../../../dev/emulator/index";
import { sendLongRunning, startHarness, SUB1, type Harness } from "../../support/emulator-harness";

/**
 * agentVersionStatus / agentVersionExpirationDate (2022-09-01) from the agent-version table: the
 * published dates (learn.microsoft.com/azure/storage/file-sync/file-sync-release-notes) unless the seed
 * gives its own. An Expired or Blocked agent cannot connect, so it neither reports a new identity nor
 * picks up a switch. Server 3 runs v20, which expired on 2026-10-29.
 */
const SERVICE = `/subscriptions/${SUB1}/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss`;
const server = (n: number, agentVersion: string) => ({
  serverId: `5e7e0000-0000-4000-8000-00000000000${n}`,
  serverName: `fs${n}.contoso.local`,
  agentVersion,
});
const serverId = (n: number) => `${SERVICE}/registeredServers/5e7e0000-0000-4000-8000-00000000000${n}`;

function seed(agentVersions: SeedInput["agentVersions"]): SeedInput {
  return {
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    caller: { principalId: "c0ffee00-0000-4000-8000-0000000000aa" },
    agentVersions,
    subscriptions: [
      {
        subscriptionId: SUB1,
        resourceGroups: [
          {
            name: "rg",
            storageSyncServices: [
              {
                name: "sss",
                registeredServers: [
                  server(1, "21.1.0.0"),
                  server(2, "21.2.0.0"),
                  server(3, "20.0.0.0"),
                  server(4, "22.0.0.0"),
                ],
              },
            ],
            arcMachines: [1, 2, 3, 4].map((n) => ({ name: `fs${n}`, hostName: `fs${n}.contoso.local`, identity: {} })),
          },
        ],
      },
    ],
  };
}

const TABLE: SeedInput["agentVersions"] = [
  { version: "20", expiresInDays: -1 },
  { version: "21" },
  { version: "21.1", expiresInDays: 30 },
  { version: "22", blocked: true },
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: seed(TABLE), delays: { discoveryMs: 1_000, activationMs: 1_000 } });
});
afterAll(async () => h.emulator.close());

const status = async (n: number) => {
  const s = await h.storageSync().registeredServers.get("rg", "sss", serverId(n).split("/").pop() ?? "");
  return s as unknown as {
    agentVersionStatus?: string;
    agentVersionExpirationDate?: Date | string;
    latestApplicationId?: string;
    lastHeartBeat?: string;
  };
};

describe("agent lifecycle", () => {
  it("renders each agent's status and expiration date from the table, the longest version prefix winning", async () => {
    expect((await status(1)).agentVersionStatus).toBe("NearExpiry");
    expect(new Date(String((await status(1)).agentVersionExpirationDate)).getTime()).toBeGreaterThan(Date.now());
    expect((await status(2)).agentVersionStatus).toBe("Ok");
    expect((await status(3)).agentVersionStatus).toBe("Expired");
    expect((await status(4)).agentVersionStatus).toBe("Blocked");
  });

  it("an Expired or Blocked agent reports no identity and picks up no switch; a NearExpiry one turns Expired once its date passes", async () => {
    await h.emulator.admin.advanceTime(5_000);
    const reported = async (n: number) =>
      (await h.emulator.admin.getServer(serverId(n))).latestApplicationId ?? undefined;
    expect(await reported(2)).toBeTruthy();
    expect(await reported(1)).toBeTruthy();
    expect(await reported(3)).toBeUndefined();
    expect(await reported(4)).toBeUndefined();
    // A switch is accepted by ARM either way; the Ok agent picks it up, the expired one never does.
    for (const n of [2, 3]) {
      const principal = h.emulator.core.state.machines.get(
        `/subscriptions/${SUB1}/resourcegroups/rg/providers/microsoft.hybridcompute/machines/fs${n}`,
      )?.identity?.principalId;
      await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${serverId(n)}?api-version=2022-09-01`, {
        properties: { identity: true, applicationId: principal },
      });
    }
    await h.emulator.admin.advanceTime(5_000);
    expect((await h.emulator.admin.getServer(serverId(2))).activeAuthType).toBe("ManagedIdentity");
    expect((await h.emulator.admin.getServer(serverId(3))).activeAuthType).toBe("Certificate");
    await h.emulator.admin.advanceTime(31 * 24 * 3600 * 1000);
    expect((await status(1)).agentVersionStatus).toBe("Expired");
  });

  it("the published table is the default: an expired v20 agent (2026-10-29) is Expired, v21.2 and v22 are Ok without a date", async () => {
    for (const table of [undefined, "published"] as const) {
      await h.emulator.admin.loadSeed(seed(table));
      const v20 = await status(3);
      expect(v20.agentVersionStatus).toBe("Expired");
      expect(new Date(String(v20.agentVersionExpirationDate)).toISOString()).toBe("2026-10-29T00:00:00.000Z");
      for (const n of [2, 4]) {
        expect((await status(n)).agentVersionStatus).toBe("Ok");
        expect((await status(n)).agentVersionExpirationDate).toBeUndefined();
      }
    }
    // Only a seed's explicit "none" keeps every agent Ok.
    await h.emulator.admin.loadSeed(seed("none"));
    expect((await status(3)).agentVersionStatus).toBe("Ok");
    expect((await status(3)).agentVersionExpirationDate).toBeUndefined();
  });

  it("a server registered through ARM without a seed table is judged by the published dates; its default agent is Ok", async () => {
    await h.emulator.admin.loadSeed(seed(undefined));
    const client = h.storageSync();
    const expired = "5e7e0000-0000-4000-8000-000000000020";
    const current = "5e7e0000-0000-4000-8000-000000000021";
    await client.registeredServers.beginCreateAndWait("rg", "sss", expired, {
      friendlyName: "fs20.contoso.local",
      agentVersion: "20.0.0.0",
      serverRole: "Standalone",
    });
    await client.registeredServers.beginCreateAndWait("rg", "sss", current, {
      friendlyName: "fs21.contoso.local",
      serverRole: "Standalone",
    });
    const v20 = (await client.registeredServers.get("rg", "sss", expired)) as unknown as Record<string, unknown>;
    expect(v20).toMatchObject({ agentVersion: "20.0.0.0", agentVersionStatus: "Expired" });
    expect(new Date(String(v20.agentVersionExpirationDate)).toISOString()).toBe("2026-10-29T00:00:00.000Z");
    const v21 = (await client.registeredServers.get("rg", "sss", current)) as unknown as Record<string, unknown>;
    expect(v21).toMatchObject({ agentVersion: "21.2.0.0", agentVersionStatus: "Ok" });
  });
});
