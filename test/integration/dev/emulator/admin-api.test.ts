import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EmulatorAdminClient,
  EmulatorAdminError,
  ids,
  TEST_TENANT_ID,
  type SeedInput,
} from "../../../../dev/emulator/index";
import { SERVICE1, startHarness, type Harness } from "../../support/emulator-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ lroMode: "sync" });
});
afterAll(async () => h.emulator.close());

const SUB = "33333333-3333-4333-8333-333333333333";
const tinySeed: SeedInput = {
  tenantId: TEST_TENANT_ID,
  caller: { principalId: "c0ffee00-0000-4000-8000-000000000009" },
  subscriptions: [
    {
      subscriptionId: SUB,
      resourceGroups: [
        {
          name: "rg",
          storageSyncServices: [
            {
              name: "tiny",
              registeredServers: [{ serverId: "5e7e9999-0000-4000-8000-000000009999", serverName: "solo" }],
            },
          ],
          storageAccounts: [{ name: "sttiny", fileShares: ["data"] }],
        },
      ],
    },
  ],
};

describe("admin API", () => {
  it("counts calls per spec operationId, split into reads and writes, and resets them", async () => {
    await h.emulator.admin.resetCalls();
    const client = h.storageSync();
    await client.storageSyncServices.get("rg-filesync", "sss-prod");
    await client.storageSyncServices.get("rg-filesync", "sss-prod");
    await client.storageSyncServices.beginUpdateAndWait("rg-filesync", "sss-prod", {
      parameters: { tags: { a: "b" } },
    });
    const calls = await h.emulator.admin.calls();
    expect(calls.byOperation).toEqual({
      StorageSyncServices_Get: { reads: 2, writes: 0 },
      StorageSyncServices_Update: { reads: 0, writes: 1 },
    });
    expect(calls).toMatchObject({ reads: 2, writes: 1 });
    const log = await h.emulator.admin.requests();
    expect(log.map((e) => `${e.method} ${e.operationId} ${e.status}`)).toEqual([
      "GET StorageSyncServices_Get 200",
      "GET StorageSyncServices_Get 200",
      "PATCH StorageSyncServices_Update 200",
    ]);
    expect(log[2]?.body).toEqual({ tags: { a: "b" } });
    expect(log[0]?.caller).toBe(h.emulator.callerPrincipalId);
    await h.emulator.admin.resetCalls();
    expect(await h.emulator.admin.calls()).toEqual({ byOperation: {}, reads: 0, writes: 0 });
  });

  it("is reachable from another client given only the admin URL and the CA", async () => {
    const other = new EmulatorAdminClient(h.emulator.env.EMULATOR_ADMIN_URL ?? "", h.emulator.caCertPem);
    const delays = await other.setDelays({ activationMs: 1234 });
    expect(delays.activationMs).toBe(1234);
    expect((await other.delays()).activationMs).toBe(1234);
  });

  it("refuses bad input with an error naming what is wrong", async () => {
    await expect(h.emulator.admin.advanceTime(-5)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("'ms'"),
    });
    await expect(h.emulator.admin.setDelays({ nope: 1 } as never)).rejects.toMatchObject({
      message: expect.stringContaining("Unknown delay 'nope'"),
    });
    await expect(
      h.emulator.admin.addFault({ match: {}, effect: { kind: "status", status: 200 } } as never),
    ).rejects.toBeInstanceOf(EmulatorAdminError);
    await expect(h.emulator.admin.loadSeed({ ...tinySeed, tenantId: "not-a-guid" })).rejects.toMatchObject({
      message: expect.stringContaining("tenantId"),
    });
    await expect(h.emulator.admin.loadSeed("/etc/passwd" as never)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("JSON object"),
    });
    await expect(h.emulator.admin.registerServer({ serviceId: `${SERVICE1}x`, serverName: "x" })).rejects.toMatchObject(
      { status: 404 },
    );
    await expect(
      h.emulator.admin.getServer(`${SERVICE1}/registeredServers/00000000-0000-4000-8000-000000000000`),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("a rejected seed leaves the current state untouched; a valid one replaces it", async () => {
    await expect(
      h.emulator.admin.loadSeed({
        ...tinySeed,
        subscriptions: [
          {
            subscriptionId: SUB,
            resourceGroups: [
              {
                name: "rg",
                storageSyncServices: [
                  {
                    name: "x",
                    syncGroups: [
                      {
                        name: "sg",
                        serverEndpoints: [{ name: "se", serverId: "5e7e9999-0000-4000-8000-000000000001" }],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("no registered server") });
    await expect(h.storageSync().storageSyncServices.get("rg-filesync", "sss-prod")).resolves.toMatchObject({
      id: SERVICE1,
    });

    await h.emulator.admin.loadSeed(tinySeed);
    await expect(h.storageSync().storageSyncServices.get("rg-filesync", "sss-prod")).rejects.toMatchObject({
      statusCode: 404,
    });
    const state = await h.emulator.admin.state();
    expect(state.services).toEqual([expect.objectContaining({ id: ids.storageSyncService(SUB, "rg", "tiny") })]);
    expect(state.callerPrincipalId).toBe("c0ffee00-0000-4000-8000-000000000009");
  });
});
