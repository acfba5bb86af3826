import { sameGuid, type RegisteredServerView } from "../azure";
import { hostNamesMatch } from "./host-name";
import { classifyServer, type ServerClassification } from "./eligibility";
import type { IdentityChange } from "./hints";
import { CROSS_TENANT_REMEDY } from "./remedies";
import type { Snapshot } from "./snapshot";

/** The service's Entra tenant: its identity's, else its subscription's (read only while it has no identity). */
export function serviceTenantOf(snapshot: Pick<Snapshot, "service" | "subscriptionTenantId">): string | undefined {
  return snapshot.service.identity.tenantId ?? snapshot.subscriptionTenantId;
}

export function isForeignTenant(tenantId: string | undefined, serviceTenant: string | undefined): boolean {
  return !!tenantId && !!serviceTenant && !sameGuid(tenantId, serviceTenant);
}

/**
 * The switched servers an identity change is about: the one bound to the
 * machine's previous principal, else the switched servers whose friendlyName
 * or serverName is one of the machine's host names (FQDN or short).
 */
function targetsOf(
  change: IdentityChange,
  servers: RegisteredServerView[],
): { by: "principal" | "host name"; servers: RegisteredServerView[] } {
  const switched = servers.filter((s) => s.identity === true && s.serverRole?.toLowerCase() !== "clustername");
  const bound = change.previousPrincipalId
    ? switched.filter((s) => sameGuid(s.applicationId, change.previousPrincipalId))
    : [];
  if (bound.length > 0) return { by: "principal", servers: bound };
  return {
    by: "host name",
    servers: switched.filter((s) =>
      change.hostNames.some((name) => hostNamesMatch(name, [s.friendlyName, s.serverName])),
    ),
  };
}

/**
 * A server not switched yet whose agent still reports the machine's previous
 * identity: granting and switching that one would bind the service to an
 * identity the machine no longer has (its agent stops being trusted, and no
 * later event says so). The machine's current principal is what the agent
 * will present, so that one is granted and named in the switch. Only one
 * match (by the previous principal, else by host name) is acted on.
 */
function adoptCurrentIdentity(
  change: IdentityChange,
  principal: string,
  servers: RegisteredServerView[],
  result: Map<string, ServerClassification>,
): void {
  const unswitched = servers.filter((s) => s.identity !== true && s.serverRole?.toLowerCase() !== "clustername");
  const byPrincipal = change.previousPrincipalId
    ? unswitched.filter((s) => sameGuid(result.get(s.serverId)?.principalId, change.previousPrincipalId))
    : [];
  const matches =
    byPrincipal.length > 0
      ? byPrincipal
      : unswitched.filter((s) => change.hostNames.some((name) => hostNamesMatch(name, [s.friendlyName, s.serverName])));
  if (matches.length !== 1) return;
  const target = matches[0] as RegisteredServerView;
  const c = result.get(target.serverId);
  if (c?.state !== "Eligible" || !c.principalId || sameGuid(c.principalId, principal)) return;
  result.set(target.serverId, {
    ...c,
    principalId: principal,
    reason: `The identity of machine ${change.machineId} changed from ${c.principalId} to ${principal} before the server was switched: the new identity is granted and the switch names it.`,
  });
}

function failed(c: ServerClassification, code: string, message: string, remedy: string): ServerClassification {
  return { state: "Failed", principalId: c.principalId, reason: message, error: { code, message }, remedy };
}

/**
 * Every server's classification for this run: `classifyServer`, then what the
 * app's hints add. A switched server whose machine identity changed gets a
 * repair (grant the new principal, PATCH identity + applicationId, as
 * `Set-AzStorageSyncServer -Identity` does); a host name matching more than
 * one switched server gets nothing written and says so; an identity of
 * another tenant is never granted or switched; an overdue switch is re-sent.
 * Pure; observe and plan call it with the same snapshot and get the same map.
 */
export function classifyAll(snapshot: Snapshot, minAgentVersion: string): Map<string, ServerClassification> {
  const result = new Map(snapshot.servers.map((s) => [s.serverId, classifyServer(s, minAgentVersion)]));
  const serviceTenant = serviceTenantOf(snapshot);

  for (const change of snapshot.hints?.identityChanges ?? []) {
    const principal = change.principalId.toLowerCase();
    const foreign = isForeignTenant(change.tenantId, serviceTenant);
    const foreignMessage = `The identity ${principal} of machine ${change.machineId} belongs to tenant ${change.tenantId}, not the service's tenant ${serviceTenant}: Azure File Sync does not support identities across tenants, so nothing is granted or switched for it.`;
    // Servers that already report (or use) the new principal follow the ordinary flow, unless it is foreign.
    for (const server of snapshot.servers) {
      const c = result.get(server.serverId) as ServerClassification;
      if (
        foreign &&
        (sameGuid(server.latestApplicationId, principal) || sameGuid(server.applicationId, principal)) &&
        c.state !== "ClusterName"
      ) {
        result.set(server.serverId, failed(c, "CrossTenantIdentity", foreignMessage, CROSS_TENANT_REMEDY));
      }
    }
    adoptCurrentIdentity(change, principal, snapshot.servers, result);
    const { by, servers: targets } = targetsOf(change, snapshot.servers);
    const broken = targets.filter((s) => !sameGuid(s.applicationId, principal));
    if (broken.length === 0) continue; // not switched before (today's flow), or already repaired
    if (broken.length > 1) {
      const names = broken.map((s) => s.name).join(", ");
      const message = `The identity of machine ${change.machineId} changed to ${principal}, and its ${by} matches ${broken.length} switched servers (${names}): nothing is written for any of them.`;
      const remedy = `Repair the right server yourself: Set-AzStorageSyncServer -Identity -ApplicationId ${principal} (or unregister the stale registration), then re-run.`;
      for (const server of broken)
        result.set(
          server.serverId,
          failed(result.get(server.serverId) as ServerClassification, "AmbiguousHostName", message, remedy),
        );
      continue;
    }
    const target = broken[0] as RegisteredServerView;
    const c = result.get(target.serverId) as ServerClassification;
    if (c.state === "AgentTooOld" || c.state === "AgentExpired" || c.state === "Failed") continue;
    if (foreign) {
      result.set(target.serverId, failed(c, "CrossTenantIdentity", foreignMessage, CROSS_TENANT_REMEDY));
      continue;
    }
    result.set(target.serverId, {
      state: "Eligible",
      principalId: principal,
      repairFrom: target.applicationId,
      reason: `The identity of machine ${change.machineId} changed from ${target.applicationId ?? "?"} to ${principal} (found by ${by}): the service still trusts the old one, so the server cannot authenticate; the new identity is granted and the server repaired.`,
    });
  }

  for (const serverId of snapshot.hints?.overdueServerIds ?? []) {
    const c = result.get(serverId.toLowerCase());
    if (c?.state !== "Switched" || !c.principalId) continue;
    result.set(serverId.toLowerCase(), {
      state: "Eligible",
      principalId: c.principalId,
      resend: true,
      reason: c.reason,
    });
  }
  return result;
}
