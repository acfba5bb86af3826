import { AgentWorld } from "../agent";
import { ROLE_IDS } from "../roles";
import { idKey, isAtOrAbove } from "../resource-id";
import type { EmulatorState, ServerRecord, ServiceRecord } from "../state";

/**
 * An ordering rule of Set-AzStorageSyncServiceIdentity broken by an applied
 * write: a registered server switched to its identity while the service did
 * not use identities yet or while the server's principal lacked its share
 * grant, or a service's `useIdentity: true` applied before the service
 * identity held its grants. Azure does not refuse these writes (the server
 * just loses sync); the emulator records them so a chaos run can count them.
 */
export interface OrderViolation {
  at: string;
  kind: "serverSwitchedBeforeUseIdentity" | "serverSwitchedBeforeGrant" | "useIdentityBeforeServiceGrants";
  /** The resource the write changed. */
  resourceId: string;
  principalId?: string;
  /** The scopes that lacked the grant. */
  missing: string[];
}

const SHARE_ROLE = ROLE_IDS.storageFileDataPrivilegedContributor;
const ACCOUNT_ROLE = ROLE_IDS.storageAccountContributor;

/** The principal holds the role at the scope or above. */
export function holdsRole(state: EmulatorState, principalId: string, roleGuid: string, scope: string): boolean {
  for (const a of state.roleAssignments.ofPrincipal(principalId)) {
    if (!a.roleDefinitionId.toLowerCase().endsWith(roleGuid)) continue;
    if (isAtOrAbove(a.scope, scope)) return true;
  }
  return false;
}

export class OrderViolationLog {
  private entries: OrderViolation[] = [];

  list(): OrderViolation[] {
    return this.entries.map((v) => ({ ...v, missing: [...v.missing] }));
  }

  reset(): void {
    this.entries = [];
  }

  /** Called after a registered-server write that switched `server` to `server.applicationId`. */
  serverSwitched(state: EmulatorState, server: ServerRecord, nowIso: string): void {
    const svc = state.services.get(idKey(server.serviceId));
    const principalId = server.applicationId;
    if (svc && !svc.useIdentity)
      this.entries.push({
        at: nowIso,
        kind: "serverSwitchedBeforeUseIdentity",
        resourceId: server.id,
        principalId,
        missing: [],
      });
    if (!principalId) return;
    const world = new AgentWorld(state);
    const missing = world.sharesOf(server).filter((share) => !world.holdsShareRole(principalId, share));
    if (missing.length > 0)
      this.entries.push({ at: nowIso, kind: "serverSwitchedBeforeGrant", resourceId: server.id, principalId, missing });
  }

  /** Called after a service write that turned `useIdentity` from false to true. */
  useIdentityEnabled(state: EmulatorState, svc: ServiceRecord, nowIso: string): void {
    const principalId = svc.identity?.principalId;
    const missing: string[] = [];
    const prefix = idKey(svc.id) + "/";
    for (const ce of state.cloudEndpoints.values()) {
      if (!idKey(ce.syncGroupId).startsWith(prefix)) continue;
      const account = ce.storageAccountResourceId;
      const share = `${account}/fileServices/default/fileshares/${ce.azureFileShareName}`;
      if (!principalId || !holdsRole(state, principalId, ACCOUNT_ROLE, account))
        missing.push(`${account} (${ACCOUNT_ROLE})`);
      if (!principalId || !holdsRole(state, principalId, SHARE_ROLE, share)) missing.push(`${share} (${SHARE_ROLE})`);
    }
    if (missing.length > 0)
      this.entries.push({
        at: nowIso,
        kind: "useIdentityBeforeServiceGrants",
        resourceId: svc.id,
        principalId,
        missing,
      });
  }
}
