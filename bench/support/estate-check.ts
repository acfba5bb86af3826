import type { EmulatorHandle } from "../../dev/emulator/index";

/** What the emulator holds after a convergence: what is left to do, and any duplicate grant. */
export interface EstateState {
  servicesWithoutUseIdentity: number;
  serversNotSwitched: number;
  assignments: number;
  /** Assignments of the same principal, role and scope beyond the first. */
  duplicateAssignments: number;
}

export function estateState(emulator: EmulatorHandle): EstateState {
  const state = emulator.core.state;
  let servicesWithoutUseIdentity = 0;
  for (const s of state.services.values()) if (!s.useIdentity) servicesWithoutUseIdentity++;
  let serversNotSwitched = 0;
  for (const s of state.servers.values()) if (s.serverRole !== "ClusterName" && s.latestApplicationId && !s.identity) serversNotSwitched++;
  const seen = new Set<string>();
  let duplicateAssignments = 0;
  for (const a of state.roleAssignments.values()) {
    const key = `${a.principalId}|${a.roleDefinitionId.split("/").pop()}|${a.scope}`.toLowerCase();
    if (seen.has(key)) duplicateAssignments++;
    seen.add(key);
  }
  return { servicesWithoutUseIdentity, serversNotSwitched, assignments: state.roleAssignments.size, duplicateAssignments };
}
