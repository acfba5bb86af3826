import {
  roleAssignmentName,
  isSameOrDescendantScope,
  type RoleAssignmentView,
  type ServiceIdentityType,
} from "../azure";
import type { EnableServiceIdentityAction, GrantRoleAction, PlannedAction, ServerGrant } from "./actions";
import { isAgentTooOld } from "./agent-version";
import { classifyAll } from "./classify-all";
import { nearExpiryWarning, type ServerClassification } from "./eligibility";
import { prerequisiteFindings } from "./prerequisites";
import { deletionActions } from "./stale-grants";
import { holdBackUnusableEndpoints } from "./unusable-endpoints";
import { repairActionId, serverWrites } from "./server-writes";
import { replacedGrantDeletions, replacedGrants, type ReplacedGrants } from "./replaced-grants";
import type { ServerVerdict, ServiceSummary } from "./report";
import { requiredGrants, type RequiredGrant } from "./required-grants";
import type { EngineSettings } from "./settings";
import type { Snapshot } from "./snapshot";

export interface Plan {
  serviceId: string;
  /** In execution order; dependencies always point backwards. */
  actions: PlannedAction[];
  /** Verdicts before any action runs (apply updates them). */
  servers: ServerVerdict[];
  /** The service as it will stand once the plan succeeds. */
  service: ServiceSummary;
  warnings: string[];
  /** True when something cannot be planned until the topology changes (a cloud endpoint without account or share). */
  blocked: boolean;
  /** Prerequisite warnings per server id (a storage account's firewall or shared-key setting), with their remedy. */
  serverWarnings: Map<string, Array<{ message: string; remedy: string }>>;
  /**
   * Without PRUNE_STALE_GRANTS: the grants of identities this run's repairs replace, reported once the repair succeeds.
   */
  reclaimable?: ReplacedGrants[];
}

export const NO_ELIGIBLE_SERVER_WARNING =
  "No server found which is available for migration: nothing to do until a server reports a managed identity.";

/** The identity type that adds system-assigned without dropping a user-assigned identity. */
function withSystemAssigned(type: ServiceIdentityType): ServiceIdentityType {
  return type === "UserAssigned" || type === "SystemAssigned,UserAssigned"
    ? "SystemAssigned,UserAssigned"
    : "SystemAssigned";
}

function hasSystemAssigned(type: ServiceIdentityType): boolean {
  return type === "SystemAssigned" || type === "SystemAssigned,UserAssigned";
}

/** True when an assignment for this principal and role exists at the scope or an ancestor of it. */
export function isGrantPresent(
  snapshot: Snapshot,
  principalId: string | undefined,
  grant: Pick<RequiredGrant, "scope" | "roleDefinitionGuid">,
): boolean {
  return coversGrant(snapshot.assignments, principalId, grant);
}

/** True when one of these assignments gives the principal the role at the scope or an ancestor of it. */
export function coversGrant(
  assignments: readonly RoleAssignmentView[],
  principalId: string | undefined,
  grant: Pick<RequiredGrant, "scope" | "roleDefinitionGuid">,
): boolean {
  if (!principalId) return false;
  return assignments.some(
    (a) =>
      a.principalId === principalId.toLowerCase() &&
      a.roleDefinitionGuid === grant.roleDefinitionGuid &&
      (isSameOrDescendantScope(grant.scope, a.scope) ||
        (a.inheritedBy !== undefined && isSameOrDescendantScope(grant.scope, a.inheritedBy))),
  );
}

function grantActionId(grant: RequiredGrant): string {
  const role = grant.roleDefinitionGuid.slice(0, 8);
  const who = grant.principal.kind === "service" ? "service" : grant.principal.principalId;
  return `grant:${role}:${who}:${grant.scope.toLowerCase()}`;
}

function describeGrant(
  grant: RequiredGrant,
  servicePrincipal: string | undefined,
  servers: Map<string, string>,
): string {
  const who =
    grant.principal.kind === "service"
      ? `the service identity${servicePrincipal ? ` ${servicePrincipal}` : " (created by this run)"}`
      : `server ${grant.principal.serverIds.map((id) => servers.get(id) ?? id).join(", ")} (${grant.principal.principalId})`;
  return `Grant ${grant.roleName} to ${who} on ${grant.scope}`;
}

function toVerdict(server: Snapshot["servers"][number], c: ServerClassification): ServerVerdict {
  return {
    ...(c.error ? { error: c.error } : {}),
    ...(c.remedy ? { remedy: c.remedy } : {}),
    serverId: server.serverId,
    resourceId: server.resourceId,
    name: server.name,
    serverRole: server.serverRole,
    agentVersion: server.agentVersion,
    principalId: c.principalId,
    activeAuthType: server.activeAuthType,
    state: c.state,
    reason: c.reason,
    switchedThisRun: false,
    registeredWith: server.registeredWithIdentity ? "managedIdentity" : "certificate",
  };
}

/**
 * PURE: what must happen for the snapshot to converge. Only missing things are
 * planned, so a converged service yields an empty plan (zero writes).
 */
export function plan(snapshot: Snapshot, settings: Pick<EngineSettings, "minAgentVersion" | "pruneStaleGrants">): Plan {
  const { service } = snapshot;
  const classifications = classifyAll(snapshot, settings.minAgentVersion);
  const servers = snapshot.servers.map((s) => toVerdict(s, classifications.get(s.serverId) as ServerClassification));
  const names = new Map(snapshot.servers.map((s) => [s.serverId, s.name]));
  const warnings: string[] = [];
  const serverWarnings = new Map<string, Array<{ message: string; remedy: string }>>();
  warnings.push(...(snapshot.driftWarnings ?? []));
  for (const finding of prerequisiteFindings(snapshot)) {
    warnings.push(`${finding.message} Remedy: ${finding.remedy}`);
    for (const id of finding.serverIds)
      serverWarnings.set(id, [...(serverWarnings.get(id) ?? []), { message: finding.message, remedy: finding.remedy }]);
  }
  const summary: ServiceSummary = {
    serviceId: service.resourceId,
    identityType: service.identity.type,
    principalId: service.identity.principalId,
    useIdentity: service.useIdentity,
  };

  const withIdentity = servers.filter((v) => v.state === "Eligible" || v.state === "Switched" || v.state === "Active");
  const adopted = hasSystemAssigned(service.identity.type) && service.identity.principalId !== undefined;
  for (const server of snapshot.servers) {
    const nearExpiry = nearExpiryWarning(server);
    if (nearExpiry) warnings.push(nearExpiry);
  }
  // Agents too old for managed identities are warned about, whether or not they report one.
  for (const v of servers) {
    if (v.state === "AgentTooOld" && isAgentTooOld(v.agentVersion, settings.minAgentVersion))
      warnings.push(`${v.name}: ${v.reason}`);
  }
  if (withIdentity.length === 0 && !adopted) {
    warnings.push(NO_ELIGIBLE_SERVER_WARNING);
    return {
      serviceId: service.resourceId,
      actions: [],
      servers,
      service: summary,
      warnings,
      blocked: false,
      serverWarnings,
    };
  }

  const incomplete = holdBackUnusableEndpoints(snapshot, servers, warnings);

  // Deletions first, so `plan` shows them at the top; they depend on nothing and nothing depends on them.
  const actions: PlannedAction[] = settings.pruneStaleGrants ? deletionActions(snapshot) : [];
  let enable: EnableServiceIdentityAction | undefined;
  if (!adopted) {
    const toType = withSystemAssigned(service.identity.type);
    enable = {
      id: "enable-service-identity",
      kind: "enableServiceIdentity",
      dependsOn: [],
      description: `Enable the system-assigned identity of ${service.name} (${service.identity.type} -> ${toType}), keeping useIdentity ${service.useIdentity}`,
      serviceId: service.resourceId,
      fromType: service.identity.type,
      toType,
      userAssignedIdentityIds: service.identity.userAssignedIdentityIds,
      useIdentity: service.useIdentity,
    };
    actions.push(enable);
    summary.identityType = toType;
  }
  const servicePrincipal = adopted ? service.identity.principalId : undefined;

  const grants = requiredGrants(snapshot, classifications);
  const serviceGrantIds: string[] = [];
  const grantIdsByServer = new Map<string, string[]>();
  const grantsByServer = new Map<string, ServerGrant[]>();
  for (const grant of grants) {
    if (grant.principal.kind === "server") {
      const needed: ServerGrant = {
        scope: grant.scope,
        storageAccountId: grant.storageAccountId,
        roleDefinitionGuid: grant.roleDefinitionGuid,
      };
      for (const id of grant.principal.serverIds) grantsByServer.set(id, [...(grantsByServer.get(id) ?? []), needed]);
    }
    const principalId = grant.principal.kind === "service" ? servicePrincipal : grant.principal.principalId;
    if (isGrantPresent(snapshot, principalId, grant)) continue;
    const action: GrantRoleAction = {
      id: grantActionId(grant),
      kind: "grantRole",
      dependsOn: grant.principal.kind === "service" && enable ? [enable.id] : [],
      description: describeGrant(grant, servicePrincipal, names),
      scope: grant.scope,
      storageAccountId: grant.storageAccountId,
      roleDefinitionGuid: grant.roleDefinitionGuid,
      roleName: grant.roleName,
      principal:
        grant.principal.kind === "service"
          ? { kind: "service", principalId: servicePrincipal }
          : { ...grant.principal, serverIds: [...grant.principal.serverIds] },
      assignmentName: principalId ? roleAssignmentName(grant.scope, principalId, grant.roleDefinitionGuid) : undefined,
    };
    actions.push(action);
    if (grant.principal.kind === "service") serviceGrantIds.push(action.id);
    else
      for (const id of grant.principal.serverIds)
        grantIdsByServer.set(id, [...(grantIdsByServer.get(id) ?? []), action.id]);
  }

  const setUseIdentity = !service.useIdentity && incomplete.length === 0;
  if (setUseIdentity) {
    actions.push({
      id: "set-use-identity",
      kind: "setUseIdentity",
      dependsOn: [...(enable ? [enable.id] : []), ...serviceGrantIds],
      description: `Set useIdentity on ${service.name} once all of its identity's grants exist`,
      serviceId: service.resourceId,
    });
    summary.useIdentity = true;
  }

  actions.push(
    ...serverWrites(snapshot, classifications, servers, { grantIdsByServer, grantsByServer, setUseIdentity }),
  );
  // The replaced identities' own grants: removed after each successful repair when deletes are allowed, else reported.
  const repairs = new Set(actions.filter((a) => a.kind === "repairServer").map((a) => a.id));
  const replaced = replacedGrants(snapshot, classifications).filter((r) => repairs.has(repairActionId(r.serverId)));
  const planned = new Set(actions.map((a) => a.id));
  let reclaimable: ReplacedGrants[] | undefined;
  if (settings.pruneStaleGrants)
    actions.push(...replacedGrantDeletions(replaced, repairActionId).filter((d) => !planned.has(d.id)));
  else if (replaced.length > 0) reclaimable = replaced;
  return {
    serviceId: service.resourceId,
    actions,
    servers,
    service: summary,
    warnings,
    blocked: incomplete.length > 0,
    serverWarnings,
    ...(reclaimable ? { reclaimable } : {}),
  };
}
