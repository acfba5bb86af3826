import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_IDS } from "../../../../dev/emulator/index";
import {
  DATA_SHARE,
  arcMachine,
  driftSeed,
  principal,
  serverResource,
  SERVERS,
  vm,
  ZERO_GUID,
} from "../../support/drift-seed";
import {
  plainRequest,
  responseProblems,
  sendRaw,
  startHarness,
  SUB1,
  type Harness,
  type RawResult,
} from "../../support/emulator-harness";

/** Identity drift after a switch, agents that do not pick a switch up, Arc status, and the zero-GUID refusal. */

const DISCOVERY_MS = 60_000;
const ACTIVATION_MS = 900_000;
const API = "api-version=2022-09-01";
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    seed: driftSeed(),
    delays: { discoveryMs: DISCOVERY_MS, activationMs: ACTIVATION_MS },
    lroMode: "sync",
  });
});
afterAll(async () => h.emulator.close());

type ServerProps = {
  applicationId: string;
  latestApplicationId: string;
  activeAuthType: string;
  identity: boolean;
  serverManagementErrorCode: number;
  lastHeartBeat: string;
};

async function server(n: number): Promise<ServerProps> {
  const r = await sendRaw(h.storageSync(), h.emulator.armEndpoint, "GET", `${serverResource(n)}?${API}`);
  expect(r.status).toBe(200);
  return (r.body as { properties: ServerProps }).properties;
}

/**
 * What `Set-AzStorageSyncServer -Identity` sends
 * (src/StorageSync/StorageSync/RegisteredServer/SetRegisteredServerCommand.cs).
 */
const patchServer = (n: number, properties: Record<string, unknown>): Promise<RawResult> =>
  sendRaw(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${serverResource(n)}?${API}`, { properties });

async function grant(principalId: string): Promise<void> {
  await h.authorization().roleAssignments.create(DATA_SHARE, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
    principalId,
    principalType: "ServicePrincipal",
  });
}

const machineStatus = async (name: string): Promise<string> =>
  (
    (await plainRequest(h, "GET", `${arcMachine(name)}?api-version=2024-07-10`)).body as {
      properties: { status: string };
    }
  ).properties.status;

describe("a switched server whose machine identity changes (broken trust)", () => {
  it("stops heartbeating and reporting until PATCHed with the new principal, then activates once that principal is granted", async () => {
    const healthy = await server(SERVERS.active);
    expect(healthy).toMatchObject({
      applicationId: principal(1),
      activeAuthType: "ManagedIdentity",
      latestApplicationId: "",
    });
    const newPrincipal = (await h.emulator.admin.setMachineIdentity(arcMachine("m-active"), "reset"))!;
    const brokenAt = (await server(SERVERS.active)).lastHeartBeat;

    await h.emulator.admin.advanceTime(DISCOVERY_MS * 3);
    const broken = await server(SERVERS.active);
    // The service still holds the old principal; the agent neither heartbeats nor reports the new one.
    expect(broken).toMatchObject({
      applicationId: principal(1),
      latestApplicationId: "",
      activeAuthType: "ManagedIdentity",
      identity: true,
      lastHeartBeat: brokenAt,
    });

    // A plain switch cannot repair it: the service has nothing new to adopt.
    expect((await patchServer(SERVERS.active, { identity: true })).status).toBe(200);
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    expect(await server(SERVERS.active)).toMatchObject({ applicationId: principal(1), lastHeartBeat: brokenAt });

    const repaired = await patchServer(SERVERS.active, { identity: true, applicationId: newPrincipal });
    expect(repaired.status).toBe(200);
    // Back on the certificate until the agent picks the new principal up: success is not claimed early.
    expect((repaired.body as { properties: ServerProps }).properties).toMatchObject({
      applicationId: newPrincipal,
      latestApplicationId: "",
      activeAuthType: "Certificate",
      identity: true,
    });
    await h.emulator.admin.advanceTime(1_000);
    expect((await server(SERVERS.active)).lastHeartBeat > brokenAt).toBe(true);

    // Without a grant for the new principal, the pick-up fails on the share.
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    expect(await server(SERVERS.active)).toMatchObject({
      activeAuthType: "Certificate",
      serverManagementErrorCode: 0x80c86063 | 0,
    });
    await grant(newPrincipal);
    expect(await server(SERVERS.active)).toMatchObject({
      activeAuthType: "ManagedIdentity",
      applicationId: newPrincipal,
      latestApplicationId: "",
      serverManagementErrorCode: 0,
    });
  });

  it("a repair naming a principal that is not the machine's keeps the server broken; the right one mends it", async () => {
    const n = SERVERS.wrongRepair;
    const newPrincipal = (await h.emulator.admin.setMachineIdentity(arcMachine("m-wrong"), "reset"))!;
    const brokenAt = (await server(n)).lastHeartBeat;
    const wrong = crypto.randomUUID();
    expect((await patchServer(n, { identity: true, applicationId: wrong })).status).toBe(200);
    await h.emulator.admin.advanceTime(ACTIVATION_MS * 2);
    expect(await server(n)).toMatchObject({
      applicationId: wrong,
      latestApplicationId: "",
      activeAuthType: "Certificate",
      lastHeartBeat: brokenAt,
    });

    await grant(newPrincipal);
    expect((await patchServer(n, { identity: true, applicationId: newPrincipal })).status).toBe(200);
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    const mended = await server(n);
    expect(mended).toMatchObject({
      applicationId: newPrincipal,
      activeAuthType: "ManagedIdentity",
      latestApplicationId: "",
    });
    expect(mended.lastHeartBeat > brokenAt).toBe(true);
  });
});

describe("a switched VM whose system identity is disabled and re-enabled through ARM", () => {
  it("is broken the same way and mended by the repair PATCH", async () => {
    const n = SERVERS.vmSwitched;
    const path = `${vm("vm-sw")}?api-version=2024-07-01`;
    expect((await plainRequest(h, "PATCH", path, { identity: { type: "None" } })).status).toBe(200);
    const brokenAt = (await server(n)).lastHeartBeat;
    const enabled = await plainRequest(h, "PATCH", path, { identity: { type: "SystemAssigned" } });
    const newPrincipal = (enabled.body as { identity: { principalId: string } }).identity.principalId;
    expect(newPrincipal).not.toBe(principal(8));
    await h.emulator.admin.advanceTime(DISCOVERY_MS * 2);
    expect(await server(n)).toMatchObject({
      applicationId: principal(8),
      latestApplicationId: "",
      activeAuthType: "ManagedIdentity",
      lastHeartBeat: brokenAt,
    });

    await grant(newPrincipal);
    expect((await patchServer(n, { identity: true, applicationId: newPrincipal })).status).toBe(200);
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    expect(await server(n)).toMatchObject({ applicationId: newPrincipal, activeAuthType: "ManagedIdentity" });
  });
});

describe("a switched server whose Arc machine is deleted and re-created through ARM", () => {
  it("presents the re-created machine's new principal: broken until repaired", async () => {
    const n = SERVERS.recreated;
    const path = `${arcMachine("m-again")}?api-version=2024-07-10`;
    expect((await plainRequest(h, "DELETE", path)).status).toBe(200);
    expect((await plainRequest(h, "GET", path)).status).toBe(404);
    const brokenAt = (await server(n)).lastHeartBeat;
    await h.emulator.admin.advanceTime(DISCOVERY_MS);
    expect((await server(n)).lastHeartBeat).toBe(brokenAt); // no machine, no identity to present
    const created = await plainRequest(h, "PUT", path, {
      location: "westeurope",
      identity: { type: "SystemAssigned" },
      properties: { machineFqdn: "m-again.contoso.local" },
    });
    expect(created.status).toBe(200);
    const newPrincipal = (created.body as { identity: { principalId: string } }).identity.principalId;
    expect(newPrincipal).not.toBe(principal(9));
    await h.emulator.admin.advanceTime(DISCOVERY_MS * 2);
    expect(await server(n)).toMatchObject({
      applicationId: principal(9),
      latestApplicationId: "",
      lastHeartBeat: brokenAt,
    });

    await grant(newPrincipal);
    expect((await patchServer(n, { identity: true, applicationId: newPrincipal })).status).toBe(200);
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    expect(await server(n)).toMatchObject({ applicationId: newPrincipal, activeAuthType: "ManagedIdentity" });
  });
});

describe("a switch that does not take", () => {
  it("an agent flagged agentIgnoresSwitch stays on Certificate (still heartbeating) until the flag is cleared", async () => {
    const n = SERVERS.ignores;
    expect((await server(n)).latestApplicationId).toBe(principal(2));
    expect((await patchServer(n, { identity: true })).status).toBe(200);
    const advancedTo = await h.emulator.admin.advanceTime(ACTIVATION_MS * 3);
    const stuck = await server(n);
    expect(stuck).toMatchObject({
      applicationId: principal(2),
      activeAuthType: "Certificate",
      identity: true,
      serverManagementErrorCode: 0,
    });
    expect(stuck.lastHeartBeat >= advancedTo).toBe(true);
    expect((await h.emulator.admin.getServer(serverResource(n))).pendingSwitch?.principalId).toBe(principal(2));

    await h.emulator.admin.setAgentIgnoresSwitch(serverResource(n), false);
    expect((await server(n)).activeAuthType).toBe("ManagedIdentity");
  });

  it("an Arc agent that is not Connected never reports its identity nor activates; reconnected, it does both", async () => {
    const n = SERVERS.arcOff;
    expect(await machineStatus("m-off")).toBe("Disconnected");
    await h.emulator.admin.advanceTime(DISCOVERY_MS * 2);
    expect((await server(n)).latestApplicationId).toBe("");
    expect((await patchServer(n, { identity: true })).status).toBe(400);

    await h.emulator.admin.setMachineStatus(arcMachine("m-off"), "Connected");
    expect((await server(n)).latestApplicationId).toBe(principal(3));
    expect((await patchServer(n, { identity: true })).status).toBe(200);
    await h.emulator.admin.setMachineStatus(arcMachine("m-off"), "Expired");
    expect(await machineStatus("m-off")).toBe("Expired");
    await h.emulator.admin.advanceTime(ACTIVATION_MS * 2);
    expect(await server(n)).toMatchObject({ activeAuthType: "Certificate", applicationId: principal(3) });

    await h.emulator.admin.setMachineStatus(arcMachine("m-off"), "Connected");
    expect((await server(n)).activeAuthType).toBe("ManagedIdentity");
  });

  it("a server already on its identity stops heartbeating when its Arc agent expires", async () => {
    const n = SERVERS.expiring;
    await h.emulator.admin.setMachineStatus(arcMachine("m-exp"), "Expired");
    const before = (await server(n)).lastHeartBeat;
    await h.emulator.admin.advanceTime(DISCOVERY_MS);
    expect(await server(n)).toMatchObject({ activeAuthType: "ManagedIdentity", lastHeartBeat: before });
  });

  it("admin input is checked: unknown status, VMs, unknown servers", async () => {
    await expect(h.emulator.admin.setMachineStatus(arcMachine("m-exp"), "Sleeping" as never)).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      h.emulator.admin.setMachineStatus(
        arcMachine("vm-xt").replace("HybridCompute/machines", "Compute/virtualMachines"),
        "Connected",
      ),
    ).rejects.toMatchObject({ status: 400 });
    await expect(h.emulator.admin.setAgentIgnoresSwitch(serverResource(99), true)).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe("a switch for a server without a reported identity", () => {
  it("is refused with 400 when latestApplicationId is empty and applicationId the zero GUID, also when the body names the zero GUID", async () => {
    const n = SERVERS.none;
    expect(await server(n)).toMatchObject({ applicationId: ZERO_GUID, latestApplicationId: "" });
    for (const properties of [{ identity: true }, { identity: true, applicationId: ZERO_GUID }]) {
      const r = await patchServer(n, properties);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({
        error: { code: "BadRequest", message: expect.stringContaining("latestApplicationId") },
      });
    }
    const notGuid = await patchServer(n, { identity: true, applicationId: "fs04" });
    expect(notGuid.status).toBe(400);
    expect(notGuid.body).toMatchObject({
      error: { code: "InvalidParameter", message: expect.stringContaining("applicationId") },
    });
    expect(await server(n)).toMatchObject({ applicationId: ZERO_GUID, identity: false, activeAuthType: "Certificate" });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
