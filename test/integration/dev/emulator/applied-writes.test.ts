import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ROLE_IDS } from "../../../../dev/emulator/index";
import { SERVICE1, SUB1, sendLongRunning, startHarness, type Harness } from "../../support/emulator-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ delays: { lroMs: 20 } });
});
afterAll(async () => {
  await h.emulator.close();
});
beforeEach(async () => {
  await h.emulator.admin.clearFaults();
  await h.emulator.admin.resetWrites();
});

const SHARE = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin/fileServices/default/fileshares/finance`;
const withClientId = (id: string) => ({ requestOptions: { customHeaders: { "x-ms-client-request-id": id } } });

function grant(name: string, clientRequestId: string) {
  return h.authorization().roleAssignments.create(
    SHARE,
    name,
    {
      roleDefinitionId: `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.storageFileDataPrivilegedContributor}`,
      principalId: "a7c00001-0000-4000-8000-000000000001",
      principalType: "ServicePrincipal",
    },
    withClientId(clientRequestId),
  );
}

describe("the applied-write log (GET /_admin/writes)", () => {
  it("lists a role assignment PUT and DELETE once each, with the caller's client request id and the answer's request id", async () => {
    const name = randomUUID();
    const [put, del] = [randomUUID(), randomUUID()];
    const created = await grant(name, put);
    // The same PUT again changes nothing: ARM answers 200 and logs no new write here.
    await grant(name, randomUUID());
    await h.authorization().roleAssignments.deleteById(created.id ?? "", withClientId(del));
    const writes = await h.emulator.admin.writes();
    expect(writes.map((w) => [w.seq, w.method, w.kind, w.path, w.clientRequestId, w.status])).toEqual([
      [1, "PUT", "RoleAssignments_Create", created.id, put, 201],
      [2, "DELETE", "RoleAssignments_Delete", created.id, del, 200],
    ]);
    const requests = await h.emulator.admin.requests();
    expect(requests.some((r) => r.requestId === writes[0]?.requestId && r.status === 201)).toBe(true);
  });

  it("a write refused with 429 is not listed; the SDK's retry keeps the client request id and is listed once", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create" },
      effect: { kind: "status", status: 429 },
      times: 1,
    });
    const id = randomUUID();
    const created = await grant(randomUUID(), id);
    const writes = await h.emulator.admin.writes();
    expect(writes.map((w) => w.clientRequestId)).toEqual([id]);
    await h.authorization().roleAssignments.deleteById(created.id ?? "");
    const attempts = (await h.emulator.admin.requests())
      .filter((r) => r.operationId === "RoleAssignments_Create")
      .slice(-2);
    expect(attempts.map((r) => r.status)).toEqual([429, 201]);
  });

  it("an asynchronous PATCH is listed when its operation completes, with the final status; a request without the header has clientRequestId null", async () => {
    const server = `${SERVICE1}/registeredServers/5e7e0001-0000-4000-8000-000000000001`;
    const { initial } = await sendLongRunning(
      h.storageSync(),
      h.emulator.armEndpoint,
      "PATCH",
      `${server}?api-version=2022-09-01`,
      {
        properties: { identity: true },
      },
    );
    expect(initial.status).toBe(202);
    const writes = await h.emulator.admin.writes();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: "PATCH", kind: "RegisteredServers_Update", path: server, status: 200 });
    // core-rest-pipeline sets a generated id when the caller gives none; plain requests have none.
    expect(typeof writes[0]?.clientRequestId).toBe("string");
  });

  it("POST /writes/reset empties the log and restarts seq", async () => {
    const first = await grant(randomUUID(), randomUUID());
    await h.authorization().roleAssignments.deleteById(first.id ?? "");
    await h.emulator.admin.resetWrites();
    expect(await h.emulator.admin.writes()).toEqual([]);
    await grant(randomUUID(), randomUUID());
    expect((await h.emulator.admin.writes()).map((w) => w.seq)).toEqual([1]);
  });
});
