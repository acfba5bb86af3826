import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  plainRequest,
  SERVICE1,
  SERVICE2,
  SUB1,
  SUB2,
  sendLongRunning,
  sendRaw,
  responseProblems,
  startHarness,
  type Harness,
} from "../../support/emulator-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ delays: { lroMs: 20 } });
});
afterAll(async () => h.emulator.close());

const API = "api-version=2022-09-01";

describe("Microsoft.StorageSync through @azure/arm-storagesync (2022-09-01)", () => {
  it("lists services by subscription and resource group, and gets one", async () => {
    const client = h.storageSync(SUB1);
    const bySub = [];
    for await (const s of client.storageSyncServices.listBySubscription()) bySub.push(s.name);
    expect(bySub).toEqual(["sss-prod"]);
    const byRg = [];
    for await (const s of h.storageSync(SUB2).storageSyncServices.listByResourceGroup("rg-branch")) byRg.push(s.id);
    expect(byRg).toEqual([SERVICE2]);
    const svc = await client.storageSyncServices.get("rg-filesync", "sss-prod");
    expect(svc.location).toBe("westeurope");
    expect(svc.storageSyncServiceUid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lists registered servers, sync groups, cloud and server endpoints of the seed", async () => {
    const client = h.storageSync(SUB1);
    const servers = [];
    for await (const s of client.registeredServers.listByStorageSyncService("rg-filesync", "sss-prod")) servers.push(s);
    expect(servers).toHaveLength(8);
    const cluster = servers
      .filter((s) => s.clusterName === "fscluster")
      .map((s) => s.serverRole)
      .sort();
    expect(cluster).toEqual(["ClusterName", "ClusterNode", "ClusterNode"]);
    const groups = [];
    for await (const g of client.syncGroups.listByStorageSyncService("rg-filesync", "sss-prod")) groups.push(g.name);
    expect(groups.sort()).toEqual(["sg-finance", "sg-hr", "sg-projects"]);
    const clouds = [];
    for await (const c of client.cloudEndpoints.listBySyncGroup("rg-filesync", "sss-prod", "sg-hr")) clouds.push(c);
    expect(clouds[0]?.storageAccountResourceId).toContain(`/subscriptions/${SUB2}/`);
    expect(clouds[0]?.azureFileShareName).toBe("hr");
    const serverEndpoints = [];
    for await (const e of client.serverEndpoints.listBySyncGroup("rg-filesync", "sss-prod", "sg-projects"))
      serverEndpoints.push(e.serverResourceId);
    expect(serverEndpoints).toContain(`${SERVICE1}/registeredServers/c1c1c1c1-0000-4000-8000-00000000c1c1`);
  });

  it("answers 404 ResourceNotFound and ResourceGroupNotFound in ARM's error shape", async () => {
    const client = h.storageSync(SUB1);
    await expect(client.storageSyncServices.get("rg-filesync", "nope")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
    await expect(client.storageSyncServices.get("rg-missing", "sss-prod")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceGroupNotFound",
    });
  });

  it("rejects an unsupported api-version and a missing body like ARM", async () => {
    // Plain requests: the SDK's pipeline would overwrite the api-version.
    const old = await plainRequest(h, "GET", `${SERVICE1}?api-version=2015-01-01`);
    expect(old.status).toBe(400);
    expect(old.body).toMatchObject({ error: { code: "NoRegisteredProviderFound" } });
    const none = await plainRequest(h, "GET", SERVICE1);
    expect(none.body).toMatchObject({ error: { code: "MissingApiVersionParameter" } });
    expect(none.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers["x-ms-correlation-request-id"]).toBeTruthy();
  });

  it("refuses a body over ARM's 4 MB limit with 413", async () => {
    const r = await plainRequest(
      h,
      "PATCH",
      `${SERVICE1}?${API}`,
      JSON.stringify({ tags: { big: "x".repeat(4 * 1024 * 1024) } }),
    );
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: { code: "RequestEntityTooLarge" } });
  });

  it("older api-versions do not return the identity fields", async () => {
    const r = await plainRequest(
      h,
      "GET",
      `${SERVICE1}/registeredServers/5e7e0001-0000-4000-8000-000000000001?api-version=2020-09-01`,
    );
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty("properties.latestApplicationId");
    expect(r.body).not.toHaveProperty("properties.activeAuthType");
  });

  for (const lroMode of ["async", "sync"] as const) {
    it(`SDK long-running update works with lroMode ${lroMode}`, async () => {
      await h.emulator.admin.setSettings({ lroMode });
      await h.emulator.admin.resetCalls();
      const updated = await h.storageSync(SUB1).storageSyncServices.beginUpdateAndWait("rg-filesync", "sss-prod", {
        parameters: { tags: { mode: lroMode } },
        updateIntervalInMs: 10,
      });
      expect(updated.tags).toEqual({ mode: lroMode });
      const calls = await h.emulator.admin.calls();
      expect(calls.byOperation.StorageSyncServices_Update).toEqual({ reads: 0, writes: 1 });
      const polls =
        (calls.byOperation.OperationStatus_Get?.reads ?? 0) +
        (calls.byOperation.StorageSync_OperationResults?.reads ?? 0);
      if (lroMode === "async") expect(polls).toBeGreaterThan(0);
      else expect(polls).toBe(0);
    });
  }

  it("async writes answer 202 with Azure-AsyncOperation, Location and Retry-After, and apply only when done", async () => {
    await h.emulator.admin.setSettings({ lroMode: "async" });
    await h.emulator.admin.setDelays({ lroMs: 60_000 });
    try {
      const client = h.storageSync(SUB1);
      const r = await sendRaw(client, h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
        tags: { pending: "yes" },
      });
      expect(r.status).toBe(202);
      expect(r.headers["azure-asyncoperation"]).toContain("/operations/");
      expect(r.headers.location).toContain("/operationresults/");
      expect(r.headers["retry-after"]).toBeDefined();
      const during = await sendRaw(client, h.emulator.armEndpoint, "GET", r.headers["azure-asyncoperation"]!);
      expect(during.body).toMatchObject({ status: "InProgress" });
      expect((await client.storageSyncServices.get("rg-filesync", "sss-prod")).tags).not.toHaveProperty("pending");
      const location = await sendRaw(client, h.emulator.armEndpoint, "GET", r.headers.location!);
      expect(location.status).toBe(202);
      await h.emulator.admin.advanceTime(60_000);
      const after = await sendRaw(client, h.emulator.armEndpoint, "GET", r.headers["azure-asyncoperation"]!);
      expect(after.body).toMatchObject({ status: "Succeeded" });
      const result = await sendRaw(client, h.emulator.armEndpoint, "GET", r.headers.location!);
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ tags: { pending: "yes" } });
    } finally {
      await h.emulator.admin.setDelays({ lroMs: 20 });
    }
  });
});

describe("building and tearing down a whole tree with the SDK", () => {
  for (const lroMode of ["async", "sync"] as const) {
    it(`creates and deletes service, server, sync group and endpoints (${lroMode})`, async () => {
      await h.emulator.admin.setSettings({ lroMode });
      const client = h.storageSync(SUB1);
      const rg = "rg-filesync";
      const name = `sss-new-${lroMode}`;
      const serverId =
        lroMode === "async" ? "5e7e0a01-0000-4000-8000-000000000a01" : "5e7e0a02-0000-4000-8000-000000000a02";
      const opts = { updateIntervalInMs: 10 };
      const svc = await client.storageSyncServices.beginCreateAndWait(
        rg,
        name,
        { location: "westeurope", incomingTrafficPolicy: "AllowAllTraffic" },
        opts,
      );
      expect(svc.id).toBe(
        `/subscriptions/${SUB1}/resourceGroups/${rg}/providers/Microsoft.StorageSync/storageSyncServices/${name}`,
      );
      const server = await client.registeredServers.beginCreateAndWait(
        rg,
        name,
        serverId,
        { friendlyName: "fs20.contoso.local", agentVersion: "21.2.0.0", serverRole: "Standalone" },
        opts,
      );
      expect(server).toMatchObject({ serverId, friendlyName: "fs20.contoso.local" });
      await client.syncGroups.create(rg, name, "sg", {});
      const ce = await client.cloudEndpoints.beginCreateAndWait(
        rg,
        name,
        "sg",
        "ce",
        {
          storageAccountResourceId: `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin`,
          azureFileShareName: "finance",
        },
        opts,
      );
      expect(ce.azureFileShareName).toBe("finance");
      const se = await client.serverEndpoints.beginCreateAndWait(
        rg,
        name,
        "sg",
        "se",
        { serverResourceId: server.id, serverLocalPath: "D:\\data" },
        opts,
      );
      expect(se.serverResourceId).toBe(server.id);
      // A second cloud endpoint in one sync group and an endpoint on a foreign server are refused.
      await expect(
        client.cloudEndpoints.beginCreateAndWait(
          rg,
          name,
          "sg",
          "ce2",
          { storageAccountResourceId: ce.storageAccountResourceId, azureFileShareName: "projects" },
          opts,
        ),
      ).rejects.toMatchObject({ statusCode: 400 });
      await expect(
        client.serverEndpoints.beginCreateAndWait(
          rg,
          name,
          "sg",
          "se2",
          { serverResourceId: `${SERVICE1}/registeredServers/5e7e0001-0000-4000-8000-000000000001` },
          opts,
        ),
      ).rejects.toMatchObject({ statusCode: 400 });
      // A sync group with endpoints cannot go; after its endpoints it can.
      await expect(client.syncGroups.delete(rg, name, "sg")).rejects.toMatchObject({ statusCode: 400 });
      await client.serverEndpoints.beginDeleteAndWait(rg, name, "sg", "se", opts);
      await client.cloudEndpoints.beginDeleteAndWait(rg, name, "sg", "ce", opts);
      await client.syncGroups.delete(rg, name, "sg");
      await client.registeredServers.beginDeleteAndWait(rg, name, serverId, opts);
      await client.storageSyncServices.beginDeleteAndWait(rg, name, opts);
      await expect(client.storageSyncServices.get(rg, name)).rejects.toMatchObject({ statusCode: 404 });
    });
  }
});

describe("identity fields through the client's pipeline", () => {
  it("a seeded service shows identity and properties.useIdentity", async () => {
    const r = await sendRaw(h.storageSync(SUB2), h.emulator.armEndpoint, "GET", `${SERVICE2}?${API}`);
    expect(r.body).toMatchObject({ identity: { type: "UserAssigned" }, properties: { useIdentity: false } });
  });

  for (const lroMode of ["async", "sync"] as const) {
    it(`PATCH identity SystemAssigned,UserAssigned keeps the user-assigned identity and creates a principal (${lroMode})`, async () => {
      await h.emulator.admin.setSettings({ lroMode });
      const client = h.storageSync(SUB2);
      const before = (await sendRaw(client, h.emulator.armEndpoint, "GET", `${SERVICE2}?${API}`)).body as {
        identity: { userAssignedIdentities: Record<string, unknown> };
      };
      const { initial, final } = await sendLongRunning(client, h.emulator.armEndpoint, "PATCH", `${SERVICE2}?${API}`, {
        identity: { type: "SystemAssigned,UserAssigned" },
        properties: { useIdentity: false },
      });
      expect(initial.status).toBe(lroMode === "async" ? 202 : 200);
      const identity = (
        final as { identity: { type: string; principalId: string; userAssignedIdentities: Record<string, unknown> } }
      ).identity;
      expect(identity.type).toBe("SystemAssigned,UserAssigned");
      expect(identity.principalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(identity.userAssignedIdentities).toEqual(before.identity.userAssignedIdentities);
      // The same PATCH again keeps the principal.
      const again = await sendLongRunning(client, h.emulator.armEndpoint, "PATCH", `${SERVICE2}?${API}`, {
        identity: { type: "SystemAssigned,UserAssigned" },
      });
      expect((again.final as { identity: { principalId: string } }).identity.principalId).toBe(identity.principalId);
    });
  }

  it("plain SystemAssigned drops user-assigned identities, as ARM does", async () => {
    const client = h.storageSync(SUB2);
    const { final } = await sendLongRunning(client, h.emulator.armEndpoint, "PATCH", `${SERVICE2}?${API}`, {
      identity: { type: "SystemAssigned" },
    });
    expect(final).toMatchObject({ identity: { type: "SystemAssigned" } });
    expect(final).not.toHaveProperty("identity.userAssignedIdentities");
  });

  it("useIdentity needs a system-assigned identity; with one it is set", async () => {
    const client = h.storageSync(SUB1);
    const refused = await sendRaw(client, h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
      properties: { useIdentity: true },
    });
    expect(refused.status).toBe(400);
    await sendLongRunning(client, h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
      identity: { type: "SystemAssigned" },
      properties: { useIdentity: false },
    });
    const { final } = await sendLongRunning(client, h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
      properties: { useIdentity: true },
    });
    expect(final).toMatchObject({ identity: { type: "SystemAssigned" }, properties: { useIdentity: true } });
  });

  it("rejects an identity type outside the spec's enum", async () => {
    const r = await sendRaw(h.storageSync(SUB1), h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
      identity: { type: "Everything" },
    });
    expect(r.status).toBe(400);
  });

  it("PATCH registeredServers identity:true moves latestApplicationId to applicationId", async () => {
    const client = h.storageSync(SUB1);
    const server = `${SERVICE1}/registeredServers/5e7e0001-0000-4000-8000-000000000001`;
    const before = (await sendRaw(client, h.emulator.armEndpoint, "GET", `${server}?${API}`)).body as {
      properties: Record<string, unknown>;
    };
    expect(before.properties.latestApplicationId).toBe("a7c00001-0000-4000-8000-000000000001");
    expect(before.properties.activeAuthType).toBe("Certificate");
    const { final } = await sendLongRunning(client, h.emulator.armEndpoint, "PATCH", `${server}?${API}`, {
      properties: { identity: true },
    });
    expect(final).toMatchObject({
      properties: {
        applicationId: "a7c00001-0000-4000-8000-000000000001",
        latestApplicationId: "",
        identity: true,
        activeAuthType: "Certificate",
      },
    });
  });

  it("is as strict as the spec about types: a string where a boolean belongs is 400 InvalidRequestContent", async () => {
    const client = h.storageSync(SUB1);
    const server = `${SERVICE1}/registeredServers/5e7e0004-0000-4000-8000-000000000004`;
    const asString = await sendRaw(client, h.emulator.armEndpoint, "PATCH", `${server}?${API}`, {
      properties: { identity: "true" },
    });
    expect(asString.status).toBe(400);
    expect(asString.body).toMatchObject({ error: { code: "InvalidRequestContent" } });
    const useIdentity = await sendRaw(client, h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
      properties: { useIdentity: "yes" },
    });
    expect(useIdentity.status).toBe(400);
    // Nothing changed.
    expect((await sendRaw(client, h.emulator.armEndpoint, "GET", `${server}?${API}`)).body).toMatchObject({
      properties: { identity: false },
    });
  });

  it("an Arc machine's identity cannot be turned off through ARM (Arc always has one)", async () => {
    const machine = `/subscriptions/${SUB1}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/fs02?api-version=2024-07-10`;
    const r = await plainRequest(h, "PATCH", machine, { identity: { type: "None" } });
    expect(r.status).toBe(400);
    expect((await plainRequest(h, "GET", machine)).body).toMatchObject({
      identity: { type: "SystemAssigned", principalId: "a7c00002-0000-4000-8000-000000000002" },
    });
  });

  it("PATCH identity:true on a server that reported no identity is refused", async () => {
    const server = `${SERVICE1}/registeredServers/5e7e0003-0000-4000-8000-000000000003`;
    const r = await sendRaw(h.storageSync(SUB1), h.emulator.armEndpoint, "PATCH", `${server}?${API}`, {
      properties: { identity: true },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: "BadRequest" } });
  });
});

describe("spec conformance of every answer above", () => {
  it("matched the spec's response schemas", async () => {
    expect(await responseProblems(h)).toEqual([]);
  });
});
