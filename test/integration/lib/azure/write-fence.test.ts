import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../../dev/emulator/index";
import { emulatorCredential } from "../../../../dev/emulator/emulator-credential";
import { createArmConnection, withWriteFence } from "../../../../src/lib/azure";
import { createRoleAssignment, ROLE } from "../../../../src/lib/azure/role-assignments";
import { ACCOUNT_A, tenant } from "../../support/reconcile-harness";

describe("the write fence", () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startEmulator({ tls: inject("localTls"), seed: tenant({ servers: [], syncGroups: [] }) });
  });
  afterAll(() => emulator.close());

  it("stops the SDK's retry of a write once the writer may no longer write; a writer that still may gets it through", async () => {
    const arm = createArmConnection({
      endpoint: emulator.armEndpoint,
      credential: emulatorCredential(emulator),
      tlsCa: emulator.caCertPem,
      retryDelayInMs: 5,
      maxRetryDelayInMs: 20,
    });
    const grant = (principalId: string) => ({
      scope: ACCOUNT_A,
      principalId,
      roleDefinitionGuid: ROLE.storageAccountContributor,
    });
    const createCalls = async () =>
      (await emulator.admin.requests()).filter((r) => r.method === "PUT" && r.operationId === "RoleAssignments_Create")
        .length;

    // The first attempt is refused with a 503 (nothing applied); the lease is lost before the SDK's retry.
    await emulator.admin.addFault({ match: { isWrite: true }, effect: { kind: "status", status: 503 }, times: 1 });
    let leaseLost = false;
    const before = await createCalls();
    await expect(
      withWriteFence(
        () => {
          if (leaseLost) throw new Error("lease lost");
          leaseLost = true; // lost while the first attempt is on its way
        },
        () => createRoleAssignment(arm, grant("bbbb0000-0000-4000-8000-000000000001")),
      ),
    ).rejects.toThrow("lease lost");
    expect((await createCalls()) - before).toBe(1);
    expect(
      [...emulator.core.state.roleAssignments.values()].filter((a) => a.principalId.startsWith("bbbb0000")),
    ).toEqual([]);

    // The same refusal with the lease held: the SDK's retry goes out and creates the assignment.
    await emulator.admin.addFault({ match: { isWrite: true }, effect: { kind: "status", status: 503 }, times: 1 });
    const held = await createCalls();
    const created = await withWriteFence(
      () => undefined,
      () => createRoleAssignment(arm, grant("bbbb0000-0000-4000-8000-000000000002")),
    );
    expect(created.status).toBe("created");
    expect((await createCalls()) - held).toBe(2);
  });
});
