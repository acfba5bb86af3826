import { AgentWorld, presentGuid } from "../emulator/agent";
import { holdsRole } from "../emulator/faults/order-violations";
import { idKey } from "../emulator/resource-id";
import { ROLE_IDS } from "../emulator/roles";
import type { EmulatorState } from "../emulator/state";

/**
 * What is left undone per service in the emulator's state: the end state
 * Set-AzStorageSyncServiceIdentity leaves (service identity with both roles
 * on every cloud endpoint's account and share, useIdentity on) and every
 * server on its machine's current identity, activated, with the share role on
 * every share it syncs. Call after the emulator's agents were brought up to now.
 */
export function unconvergedServices(state: EmulatorState): Map<string, string[]> {
  const world = new AgentWorld(state);
  const out = new Map<string, string[]>();
  for (const svc of state.services.values()) {
    const reasons: string[] = [];
    const principal = svc.identity?.principalId;
    if (!principal) reasons.push("no service identity");
    if (!svc.useIdentity) reasons.push("useIdentity is false");
    const prefix = idKey(svc.id) + "/";
    for (const ce of state.cloudEndpoints.values()) {
      if (!principal || !idKey(ce.syncGroupId).startsWith(prefix)) continue;
      const share = `${ce.storageAccountResourceId}/fileServices/default/fileshares/${ce.azureFileShareName}`;
      if (!holdsRole(state, principal, ROLE_IDS.storageAccountContributor, ce.storageAccountResourceId))
        reasons.push(`service lacks its account role on ${ce.storageAccountResourceId}`);
      if (!holdsRole(state, principal, ROLE_IDS.storageFileDataPrivilegedContributor, share))
        reasons.push(`service lacks its share role on ${share}`);
    }
    for (const server of state.servers.values()) {
      if (idKey(server.serviceId) !== idKey(svc.id) || server.serverRole === "ClusterName") continue;
      const current =
        world.machineOf(server)?.identity?.principalId ??
        presentGuid(server.latestApplicationId) ??
        presentGuid(server.applicationId);
      if (!current) continue;
      const name = server.serverName;
      if (!server.identity || presentGuid(server.applicationId)?.toLowerCase() !== current.toLowerCase())
        reasons.push(
          `${name} not switched to ${current} (identity ${server.identity}, applicationId ${server.applicationId ?? "none"}, latestApplicationId ${server.latestApplicationId ?? "none"}, ${server.activeAuthType})`,
        );
      else if (server.activeAuthType !== "ManagedIdentity" || server.pendingSwitch)
        reasons.push(`${name} switch not active`);
      for (const share of world.sharesOf(server))
        if (!world.holdsShareRole(current, share))
          reasons.push(`${name}'s ${current} lacks its share role on ${share}`);
    }
    // Cloud endpoints on one account name its account grant once each: say it once.
    if (reasons.length > 0) out.set(svc.id, [...new Set(reasons)]);
  }
  return out;
}
