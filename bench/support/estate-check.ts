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
  for (const s of state.servers.values())
    if (s.serverRole !== "ClusterName" && s.latestApplicationId && !s.identity) serversNotSwitched++;
  const seen = new Set<string>();
  let duplicateAssignments = 0;
  for (const a of state.roleAssignments.values()) {
    const key = `${a.principalId}|${a.roleDefinitionId.split("/").pop()}|${a.scope}`.toLowerCase();
    if (seen.has(key)) duplicateAssignments++;
    seen.add(key);
  }
  return {
    servicesWithoutUseIdentity,
    serversNotSwitched,
    assignments: state.roleAssignments.size,
    duplicateAssignments,
  };
}

/** Ids (lower case) of the services that are converged in ARM: useIdentity on and every eligible server switched. */
export function convergedServices(emulator: EmulatorHandle): Set<string> {
  const state = emulator.core.state;
  const pending = new Set<string>();
  for (const s of state.servers.values())
    if (s.serverRole !== "ClusterName" && s.latestApplicationId && !s.identity) pending.add(s.serviceId.toLowerCase());
  const done = new Set<string>();
  for (const s of state.services.values())
    if (s.useIdentity && !pending.has(s.id.toLowerCase())) done.add(s.id.toLowerCase());
  return done;
}
