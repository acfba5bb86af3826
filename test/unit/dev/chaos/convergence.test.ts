import { describe, expect, it } from "vitest";
import { unconvergedServices } from "../../../../dev/chaos/convergence";
import { switchServerToIdentity } from "../../../../dev/emulator/agent";
import { EmulatorCore } from "../../../../dev/emulator/core";
import { idKey } from "../../../../dev/emulator/resource-id";
import { ROLE_IDS } from "../../../../dev/emulator/roles";
import { parseSeed } from "../../../../dev/emulator/seed";
import { generateEstate } from "../../../../dev/seeds/generate-estate";

const SERVICE_PRINCIPAL = "5e5e0000-0000-4000-8000-000000000001";

function grant(core: EmulatorCore, principalId: string, roleGuid: string, scope: string): void {
  const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${core.state.roleAssignments.size}`;
  const at = core.clock.nowIso();
  core.state.roleAssignments.set(idKey(id), {
    id,
    name: String(core.state.roleAssignments.size),
    scope,
    roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
    principalId,
    principalType: "ServicePrincipal",
    createdOn: at,
    updatedOn: at,
    createdBy: "test",
    updatedBy: "test",
  });
}

/** Brings the one-service estate to the cmdlet's end state by hand. */
function converge(core: EmulatorCore): void {
  const svc = [...core.state.services.values()][0];
  if (!svc) throw new Error("no service");
  svc.identity = { principalId: SERVICE_PRINCIPAL, userAssigned: {} };
  svc.useIdentity = true;
  for (const ce of core.state.cloudEndpoints.values()) {
    const share = `${ce.storageAccountResourceId}/fileServices/default/fileshares/${ce.azureFileShareName}`;
    grant(core, SERVICE_PRINCIPAL, ROLE_IDS.storageAccountContributor, ce.storageAccountResourceId);
    grant(core, SERVICE_PRINCIPAL, ROLE_IDS.storageFileDataPrivilegedContributor, share);
    for (const server of core.state.servers.values())
      grant(core, server.latestApplicationId ?? "", ROLE_IDS.storageFileDataPrivilegedContributor, share);
  }
  for (const server of core.state.servers.values()) {
    switchServerToIdentity(server, core.clock.now());
    server.activeAuthType = "ManagedIdentity";
    server.pendingSwitch = undefined;
  }
}

describe("unconvergedServices", () => {
  const estate = () =>
    new EmulatorCore({
      seed: parseSeed(
        generateEstate({
          services: 1,
          serversPerService: 2,
          syncGroupsPerService: 2,
          accountsPerService: 1,
          arcMachines: true,
        }),
      ),
    });

  it("names what is left to do in a fresh estate", () => {
    const reasons = [...unconvergedServices(estate().state).values()].flat();
    expect(reasons).toEqual(expect.arrayContaining(["no service identity", "useIdentity is false"]));
    expect(reasons.filter((r) => / not switched to /.test(r))).toHaveLength(2);
  });

  it("is empty at the end state, and names a deleted grant and a reset identity", () => {
    const core = estate();
    converge(core);
    expect(unconvergedServices(core.state)).toEqual(new Map());

    // Both sync groups' shares sit on one account: its account grant was made once per cloud endpoint.
    for (const [key, a] of core.state.roleAssignments)
      if (a.roleDefinitionId.endsWith(ROLE_IDS.storageAccountContributor)) core.state.roleAssignments.delete(key);
    expect([...unconvergedServices(core.state).values()].flat()).toEqual([
      expect.stringMatching(/^service lacks its account role on /),
    ]);

    converge(core);
    const machine = [...core.state.machines.values()][0];
    if (!machine?.identity) throw new Error("no machine identity");
    machine.identity = { ...machine.identity, principalId: "0000abcd-0000-4000-8000-000000000001" };
    const reasons = [...unconvergedServices(core.state).values()].flat();
    expect(reasons.some((r) => r.includes("not switched to 0000abcd-0000-4000-8000-000000000001"))).toBe(true);
  });
});
