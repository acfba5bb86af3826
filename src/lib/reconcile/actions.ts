import type { RoleDefinitionGuid, ServiceIdentityType } from "../azure";
import type { PlannedActionBase } from "./report";

/** Who receives a grant: the service's system-assigned identity (maybe created by this run) or servers' identity. */
export type GrantPrincipal =
  | { kind: "service"; /** Known when the identity already exists. */ principalId?: string }
  | {
      kind: "server";
      principalId: string;
      /** Servers using this principal (one, unless identities are shared). */ serverIds: string[];
    };

export interface EnableServiceIdentityAction extends PlannedActionBase {
  kind: "enableServiceIdentity";
  serviceId: string;
  fromType: ServiceIdentityType;
  toType: ServiceIdentityType;
  userAssignedIdentityIds: string[];
  /** The current useIdentity, sent unchanged in the same PATCH. */
  useIdentity: boolean;
}

export interface GrantRoleAction extends PlannedActionBase {
  kind: "grantRole";
  scope: string;
  storageAccountId: string;
  roleDefinitionGuid: RoleDefinitionGuid;
  roleName: string;
  principal: GrantPrincipal;
  /** Deterministic assignment name, when the principal is known at plan time. */
  assignmentName?: string;
}

export interface SetUseIdentityAction extends PlannedActionBase {
  kind: "setUseIdentity";
  serviceId: string;
}

/** A grant a server's principal needs on a share (or account), proven right before the server is switched. */
export interface ServerGrant {
  scope: string;
  storageAccountId: string;
  roleDefinitionGuid: RoleDefinitionGuid;
}

export interface SwitchServerAction extends PlannedActionBase {
  kind: "switchServer";
  serverId: string;
  serverResourceId: string;
  serverName: string;
  principalId: string;
  /** Every grant the server's principal needs, present or planned: read again right before the switch. */
  grants?: ServerGrant[];
  /** Sent again: the server was still on Certificate after the activation window. */
  resend?: boolean;
}

/**
 * What `Set-AzStorageSyncServer -Identity` sends for a switched server whose
 * machine identity changed: PATCH identity:true with the new applicationId.
 */
export interface RepairServerAction extends PlannedActionBase {
  kind: "repairServer";
  serverId: string;
  serverResourceId: string;
  serverName: string;
  /** The machine's new principal. */
  principalId: string;
  /** Every grant the new principal needs, present or planned: read again right before the repair. */
  grants?: ServerGrant[];
  /** The principal the service trusted until now. */
  previousPrincipalId?: string;
}

/** PRUNE_STALE_GRANTS: one File Sync role assignment this product created that nothing needs any more. */
export interface DeleteRoleAssignmentAction extends PlannedActionBase {
  kind: "deleteRoleAssignment";
  assignmentId: string;
  scope: string;
  principalId: string;
  roleDefinitionGuid: string;
  roleName: string;
}

export type PlannedAction =
  | DeleteRoleAssignmentAction
  | EnableServiceIdentityAction
  | GrantRoleAction
  | SetUseIdentityAction
  | SwitchServerAction
  | RepairServerAction;
