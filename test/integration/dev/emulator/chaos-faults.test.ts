import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, ROLE_IDS, type SeedInput } from "../../../../dev/emulator/index";
import { SERVICE1, sendLongRunning, startHarness, SUB1, type Harness } from "../../support/emulator-harness";

/**
 * What a chaos run needs from the emulator: a write applied whose answer is
 * dropped (the SDK repeats it), and the log of writes that broke the
 * grant-before-switch order. Through the real SDK clients.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ lroMode: "sync" });
});
afterAll(async () => h.emulator.close());
beforeEach(async () => {
  await h.emulator.admin.loadSeed(JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput);
  await h.emulator.admin.clearFaults();
  await h.emulator.admin.resetViolations();
  await h.emulator.admin.resetWrites();
});

const API = "api-version=2022-09-01";
const FS01 = `${SERVICE1}/registeredServers/5e7e0001-0000-4000-8000-000000000001`;
const FS01_PRINCIPAL = "a7c00001-0000-4000-8000-000000000001";
const ACCOUNT = `/subscriptions/${SUB1}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/stcontosofin`;
const FINANCE = `${ACCOUNT}/fileServices/default/fileshares/finance`;
// SDK 9.1.0 has no useIdentity property: the raw PATCH, as the product sends it.
const enableUseIdentity = () =>
  sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
    properties: { useIdentity: true },
  });
const enableServiceIdentity = async (): Promise<string> => {
  const { final } = await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${SERVICE1}?${API}`, {
    identity: { type: "SystemAssigned" },
  });
  return (final as { identity: { principalId: string } }).identity.principalId;
};
const roleDefinitionId = (guid: string) =>
  `/subscriptions/${SUB1}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

describe("dropAfterApply fault", () => {
  it("applies a role assignment, drops the answer; the SDK's repeat gets 200 for the identical assignment and nothing is duplicated", async () => {
    await h.emulator.admin.addFault({
      match: { operationId: "RoleAssignments_Create" },
      effect: { kind: "dropAfterApply" },
      times: 1,
    });
    const name = "1e000000-0000-4000-8000-0000000000d1";
    const created = await h.authorization().roleAssignments.create(FINANCE, name, {
      roleDefinitionId: roleDefinitionId(ROLE_IDS.storageFileDataPrivilegedContributor),
      principalId: FS01_PRINCIPAL,
      principalType: "ServicePrincipal",
    });
    expect(created.name).toBe(name);
    const puts = (await h.emulator.admin.requests()).filter((r) => r.operationId === "RoleAssignments_Create");
    expect(puts.map((r) => [r.status, r.errorCode])).toEqual([
      [201, "ConnectionDroppedAfterApply"],
      [200, undefined],
    ]);
    const same = [...h.emulator.core.state.roleAssignments.values()].filter(
      (a) => a.principalId === FS01_PRINCIPAL && a.scope === FINANCE,
    );
    expect(same).toHaveLength(1);
    // The applied-write log holds the one change, under the client request id the SDK sent (and repeated).
    const applied = (await h.emulator.admin.writes()).filter((w) => w.kind === "RoleAssignments_Create");
    expect(applied).toHaveLength(1);
    expect(applied[0]?.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("leaves reads alone", async () => {
    await h.emulator.admin.addFault({ match: {}, effect: { kind: "dropAfterApply" } });
    const svc = await h.storageSync().storageSyncServices.get("rg-filesync", "sss-prod");
    expect(svc.name).toBe("sss-prod");
  });
});

describe("order violations", () => {
  it("records a server switched before useIdentity and before its share grant, and a useIdentity before the service's grants", async () => {
    await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${FS01}?${API}`, {
      properties: { identity: true },
    });
    await enableServiceIdentity();
    await enableUseIdentity();
    const violations = await h.emulator.admin.violations();
    expect(violations.map((v) => [v.kind, v.resourceId])).toEqual([
      ["serverSwitchedBeforeUseIdentity", FS01],
      ["serverSwitchedBeforeGrant", FS01],
      ["useIdentityBeforeServiceGrants", SERVICE1],
    ]);
    expect(violations[1]?.missing).toEqual([FINANCE]);
    await h.emulator.admin.resetViolations();
    expect(await h.emulator.admin.violations()).toEqual([]);
  });

  it("records nothing when the grants and useIdentity come first", async () => {
    const servicePrincipal = await enableServiceIdentity();
    await h.emulator.admin.advanceTime(h.emulator.core.delays.principalReplicationMs);
    const shares = h.emulator.core.state.cloudEndpointsOf.bind(h.emulator.core.state);
    const grant = async (principalId: string, scope: string, role: string, n: number) => {
      if (granted.has(`${principalId}|${scope}|${role}`)) return;
      granted.add(`${principalId}|${scope}|${role}`);
      await h
        .authorization()
        .roleAssignments.create(scope, `1e000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`, {
          roleDefinitionId: `/subscriptions/${scope.split("/")[2]}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
          principalId,
          principalType: "ServicePrincipal",
        });
    };
    let n = 1;
    const granted = new Set<string>();
    for (const sg of [...h.emulator.core.state.syncGroups.values()].filter((g) => g.id.startsWith(SERVICE1))) {
      for (const ce of shares(sg.id)) {
        await grant(servicePrincipal, ce.storageAccountResourceId, ROLE_IDS.storageAccountContributor, n++);
        await grant(
          servicePrincipal,
          `${ce.storageAccountResourceId}/fileServices/default/fileshares/${ce.azureFileShareName}`,
          ROLE_IDS.storageFileDataPrivilegedContributor,
          n++,
        );
      }
    }
    await enableUseIdentity();
    await grant(FS01_PRINCIPAL, FINANCE, ROLE_IDS.storageFileDataPrivilegedContributor, n++);
    await sendLongRunning(h.storageSync(), h.emulator.armEndpoint, "PATCH", `${FS01}?${API}`, {
      properties: { identity: true },
    });
    expect(await h.emulator.admin.violations()).toEqual([]);
  });
});
