import { describe, expect, it } from "vitest";
import {
  ACCOUNT_A,
  principalOf,
  serverIdOf,
  syncGroupOn,
  tenant,
  useEngineHarness,
} from "../../support/reconcile-harness";

/**
 * A server registered with its managed identity (Register-AzStorageSyncServer -ApplicationId):
 * it uses its identity from the start, so it is granted on the share of each of its server
 * endpoints and never switched; its status says how it was registered.
 */
const harness = useEngineHarness();

describe("identity-only registered servers", () => {
  it("are granted on their endpoint's share, never switched, and say how they were registered", async () => {
    await harness.load(
      tenant({
        servers: [
          {
            serverId: serverIdOf(1),
            serverName: "fs1.contoso.local",
            agentVersion: "21.2.0.0",
            applicationId: principalOf(1),
            activeAuthType: "ManagedIdentity",
            registeredWithIdentity: true,
          },
          {
            serverId: serverIdOf(2),
            serverName: "fs2.contoso.local",
            agentVersion: "21.2.0.0",
            latestApplicationId: principalOf(2),
          },
        ],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1, 2])],
      }),
    );
    const report = await harness.run();
    const grants = report.plan.filter((a) => a.kind === "grantRole" && a.principal.kind === "server");
    expect(
      grants.map((g) => (g.kind === "grantRole" && g.principal.kind === "server" ? g.principal.principalId : "")),
    ).toEqual([principalOf(1), principalOf(2)]);
    expect(
      report.plan.filter((a) => a.kind === "switchServer").map((a) => (a.kind === "switchServer" ? a.serverId : "")),
    ).toEqual([serverIdOf(2)]);
    const fs1 = report.servers.find((s) => s.serverId === serverIdOf(1));
    expect(fs1).toMatchObject({ state: "Active", registeredWith: "managedIdentity", switchedThisRun: false });
    expect(fs1?.reason).toContain("Register-AzStorageSyncServer -ApplicationId");
    expect(report.servers.find((s) => s.serverId === serverIdOf(2))?.registeredWith).toBe("certificate");
    // Converged: nothing more for it.
    await harness.emulator.admin.resetCalls();
    expect((await harness.run()).plan.filter((a) => a.kind === "grantRole")).toEqual([]);
  });

  it("a new server endpoint of such a server gets its grant on the next run", async () => {
    await harness.load(
      tenant({
        servers: [
          {
            serverId: serverIdOf(1),
            serverName: "fs1.contoso.local",
            applicationId: principalOf(1),
            activeAuthType: "ManagedIdentity",
            registeredWithIdentity: true,
          },
        ],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1]), syncGroupOn("sg2", ACCOUNT_A, "share2", [])],
      }),
    );
    await harness.run();
    const sg2 = `/subscriptions/aaaaaaaa-1111-4111-8111-111111111111/resourceGroups/rg-sync/providers/Microsoft.StorageSync/storageSyncServices/sss/syncGroups/sg2`;
    const client = harness.arm.storageSync("aaaaaaaa-1111-4111-8111-111111111111");
    await client.serverEndpoints.beginCreateAndWait(
      "rg-sync",
      "sss",
      "sg2",
      "se-new",
      { serverResourceId: `${sg2.split("/syncGroups/")[0]}/registeredServers/${serverIdOf(1)}` },
      { updateIntervalInMs: 5 },
    );
    const report = await harness.run();
    expect(report.plan.map((a) => a.kind)).toEqual(["grantRole"]);
    expect(report.plan[0]?.description).toContain("share2");
    expect(report.plan.some((a) => a.kind === "switchServer")).toBe(false);
  });
});
