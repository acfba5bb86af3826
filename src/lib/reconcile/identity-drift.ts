import { sameGuid, type MachineIdentity, type RegisteredServerView } from "../azure";
import type { IdentityChange } from "./hints";
import { hostNamesMatch } from "./host-name";

/** What comparing switched servers with their machines found. */
export interface IdentityDrift {
  /** One per drifted server: handled exactly as the machine's write event would be. */
  changes: IdentityChange[];
  /** Servers that look drifted but cannot be tied to one machine: nothing is written for them. */
  warnings: string[];
}

/** A server whose service trusts a principal: switched (identity: true), not a cluster name entry. */
export function isBoundServer(server: RegisteredServerView): boolean {
  return (
    server.identity === true && server.serverRole?.toLowerCase() !== "clustername" && server.applicationId !== undefined
  );
}

/**
 * PURE: the switched servers whose `applicationId` is not the current
 * system-assigned principal of the machine they run on. A server is tied to a
 * machine by the principal: a machine that has it is the server's and
 * nothing drifted; else by the machine the app recorded with that principal
 * (`recorded`, principal → machine id); else by a host name that matches
 * exactly one machine. A machine without a system-assigned identity, or a
 * host name matching several, is a warning: nothing is written.
 */
export function findIdentityDrift(
  servers: RegisteredServerView[],
  machines: MachineIdentity[],
  recorded: ReadonlyMap<string, string> = new Map(),
): IdentityDrift {
  const changes: IdentityChange[] = [];
  const warnings: string[] = [];
  const byId = new Map(machines.map((m) => [m.resourceId.toLowerCase(), m]));
  for (const server of servers.filter(isBoundServer)) {
    const bound = server.applicationId as string;
    if (machines.some((m) => sameGuid(m.principalId, bound))) continue;
    const recordedId = recorded.get(bound.toLowerCase());
    let machine = recordedId ? byId.get(recordedId.toLowerCase()) : undefined;
    let by = "the principal the app recorded";
    if (!machine) {
      const named = machines.filter((m) =>
        m.hostNames.some((name) => hostNamesMatch(name, [server.friendlyName, server.serverName])),
      );
      if (named.length > 1) {
        warnings.push(
          `${server.name}: no machine has its principal ${bound}, and its host name matches ${named.length} machines (${named.map((m) => m.name).join(", ")}): its identity is not checked. Give the machines distinct host names, or repair the server with Set-AzStorageSyncServer -Identity -ApplicationId <principal>.`,
        );
        continue;
      }
      machine = named[0];
      by = "host name";
    }
    if (!machine) continue; // its machine is outside the managed scopes, or gone: nothing to compare with
    if (!machine.principalId) {
      warnings.push(
        `${server.name}: its machine ${machine.resourceId} (found by ${by}) has no system-assigned identity, while the service trusts ${bound}: the server cannot authenticate until the identity is enabled again.`,
      );
      continue;
    }
    changes.push({
      machineId: machine.resourceId,
      principalId: machine.principalId.toLowerCase(),
      previousPrincipalId: bound.toLowerCase(),
      hostNames: machine.hostNames,
      ...(machine.tenantId ? { tenantId: machine.tenantId } : {}),
      ...(machine.status ? { status: machine.status } : {}),
    });
  }
  return { changes, warnings };
}

/** The event-path changes plus those found from state, one per machine and principal. */
export function mergeIdentityChanges(fromEvents: IdentityChange[], fromState: IdentityChange[]): IdentityChange[] {
  const key = (c: IdentityChange) => `${c.machineId.toLowerCase()}|${c.principalId.toLowerCase()}`;
  const seen = new Set(fromEvents.map(key));
  return [...fromEvents, ...fromState.filter((c) => !seen.has(key(c)))];
}
