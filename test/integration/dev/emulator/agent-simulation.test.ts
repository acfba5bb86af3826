import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_IDS } from "../../../../dev/emulator/index";
import {
  plainRequest,
  SERVICE1,
  SUB1,
  SUB2,
  sendLongRunning,
  sendRaw,
  responseProblems,
  startHarness,
  type Harness,
} from "../../support/emulator-harness";

const DISCOVERY_MS = 60_000;
const ACTIVATION_MS = 900_000;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ delays: { discoveryMs: DISCOVERY_MS, activationMs: ACTIVATION_MS }, lroMode: "sync" });
});
afterAll(async () => h.emulator.close());

const API = "api-version=2022-09-01";
const serverId = (id: string): string => `${SERVICE1}/registeredServers/${id}`;
const FS01 = serverId("5e7e0001-0000-4000-8000-000000000001");
const FS02 = serverId("5e7e0002-0000-4000-8000-000000000002");
const FS04 = serverId("5e7e0004-0000-4000-8000-000000000004");
const NODE1 = serverId("5e7e0101-0000-4000-8000-000000000101");
const NODE2 = serverId("5e7e0102-0000-4000-8000-000000000102");
const FIN_ACCOUNT = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin`;
const HR_SHARE = `/subscriptions/${SUB2}/resourceGroups/rg-storage-hr/providers/Microsoft.Storage/storageAccounts/stcontosohr/fileServices/default/fileshares/hr`;

type ServerProps = {
  applicationId: string;
  latestApplicationId: string;
  activeAuthType: string;
  identity: boolean;
  serverManagementErrorCode: number;
};

async function server(id: string): Promise<ServerProps> {
  const r = await sendRaw(h.storageSync(), h.emulator.armEndpoint, "GET", `${id}?${API}`);
  expect(r.status).toBe(200);
  return (r.body as { properties: ServerProps }).properties;
}

async function grantShareRole(scope: string, principalId: string): Promise<void> {
  const sub = /\/subscriptions\/([^/]+)/.exec(scope)?.[1] ?? SUB1;
  await h.authorization(sub).roleAssignments.create(scope, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
    principalId,
    principalType: "ServicePrincipal",
  });
}

async function switchServer(id: string): Promise<void> {
  await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${id}?${API}`, {
    properties: { identity: true },
  });
}

describe("File Sync agent simulation", () => {
  it("discovery: a new Arc identity shows up as latestApplicationId only after the discovery delay, without an event", async () => {
    const machine = `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs01`;
    const newPrincipal = await h.emulator.admin.setMachineIdentity(machine, "reset");
    expect(newPrincipal).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server(FS01)).latestApplicationId).toBe("a7c00001-0000-4000-8000-000000000001");
    await h.emulator.admin.advanceTime(DISCOVERY_MS - 1_000);
    expect((await server(FS01)).latestApplicationId).not.toBe(newPrincipal);
    await h.emulator.admin.resetCalls();
    await h.emulator.admin.advanceTime(1_000);
    expect((await server(FS01)).latestApplicationId).toBe(newPrincipal);
    const machineBody = (await plainRequest(h, "GET", `${machine}?api-version=2024-07-10`)).body;
    expect(machineBody).toMatchObject({ identity: { type: "SystemAssigned", principalId: newPrincipal } });
    // Only our two reads happened: discovery itself is not an ARM write.
    expect((await h.emulator.admin.calls()).writes).toBe(0);
  });

  it("activation: with the share role, the switched server uses its identity after the activation delay", async () => {
    const principal = (await server(FS01)).latestApplicationId;
    await grantShareRole(`${FIN_ACCOUNT}/fileServices/default/fileshares/finance`, principal);
    await switchServer(FS01);
    expect(await server(FS01)).toMatchObject({
      applicationId: principal,
      latestApplicationId: "",
      activeAuthType: "Certificate",
      identity: true,
    });
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    expect(await server(FS01)).toMatchObject({
      applicationId: principal,
      latestApplicationId: "",
      activeAuthType: "ManagedIdentity",
      serverManagementErrorCode: 0,
    });
  });

  it("missing grant: the server stays on its certificate and reports 0x80c86063 until the grant exists", async () => {
    const principal = (await server(FS04)).latestApplicationId;
    expect(principal).toBe("a7c00004-0000-4000-8000-000000000004");
    await switchServer(FS04);
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    expect(await server(FS04)).toMatchObject({
      activeAuthType: "Certificate",
      serverManagementErrorCode: 0x80c86063 | 0,
    });
    expect((await h.emulator.admin.getServer(FS04)).agentError).toBe("0x80c86063");
    await grantShareRole(HR_SHARE, principal);
    expect((await server(FS04)).activeAuthType).toBe("ManagedIdentity");
  });

  it("cluster nodes need the grant on the ClusterName entry's shares; an inherited grant counts", async () => {
    const node1 = (await server(NODE1)).latestApplicationId;
    expect(node1).toBe("a7c00101-0000-4000-8000-000000000101");
    await grantShareRole(FIN_ACCOUNT, node1); // storage account scope: inherited by the projects share
    await switchServer(NODE1);
    await switchServer(NODE2);
    await h.emulator.admin.advanceTime(ACTIVATION_MS);
    expect((await server(NODE1)).activeAuthType).toBe("ManagedIdentity");
    expect((await server(NODE2)).activeAuthType).toBe("Certificate");
    const clusterName = await sendRaw(
      h.storageSync(),
      h.emulator.armEndpoint,
      "PATCH",
      `${serverId("c1c1c1c1-0000-4000-8000-00000000c1c1")}?${API}`,
      {
        properties: { identity: true },
      },
    );
    expect(clusterName.status).toBe(400);
  });

  it("an agent older than 19.1 never reports its machine's identity", async () => {
    await h.emulator.admin.advanceTime(DISCOVERY_MS * 10);
    expect((await server(FS02)).latestApplicationId).toBe("");
  });

  it("a server registered later on a VM whose identity is enabled through ARM is discovered after the delay", async () => {
    const vm = `/subscriptions/${SUB2}/resourceGroups/rg-branch/providers/Microsoft.Compute/virtualMachines/vm-br02`;
    // Plain request: a StorageSync client's pipeline would force its own api-version.
    const patched = await plainRequest(h, "PATCH", `${vm}?api-version=2024-07-01`, {
      identity: { type: "SystemAssigned" },
    });
    expect(patched.status).toBe(200);
    const principalId = (patched.body as { identity: { principalId: string } }).identity.principalId;
    expect(principalId).toMatch(/^[0-9a-f-]{36}$/);
    const br02 = `/subscriptions/${SUB2}/resourceGroups/rg-branch/providers/Microsoft.StorageSync/storageSyncServices/sss-branch/registeredServers/5e7e0202-0000-4000-8000-000000000202`;
    expect((await h.emulator.admin.getServer(br02)).latestApplicationId).toBeUndefined();
    await h.emulator.admin.advanceTime(DISCOVERY_MS);
    expect((await h.emulator.admin.getServer(br02)).latestApplicationId).toBe(principalId);

    const registered = await h.emulator.admin.registerServer({ serviceId: SERVICE1, serverName: "fs03.contoso.local" });
    // No identity: latestApplicationId is empty and applicationId the all-zero GUID, as Azure answers.
    expect(await server(registered)).toMatchObject({
      latestApplicationId: "",
      applicationId: "00000000-0000-0000-0000-000000000000",
      activeAuthType: "Certificate",
    });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
