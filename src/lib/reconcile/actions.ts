import type { RoleDefinitionGuid } from "../azure/role-assignments";
import type { ServiceIdentityType } from "../azure/views";
import type { PlannedActionBase } from "./report";

/** Who receives a grant: the service's system-assigned identity (maybe created by this run) or servers' identity. */
export type GrantPrincipal =
  | { kind: "service"; /** Known when the identity already exists. */ principalId?: string }
  | { kind: "server"; principalId: string; /** Servers using this principal (one, unless identities are shared). */ serverIds: string[] };

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

export interface SwitchServerAction extends PlannedActionBase {
  kind: "switchServer";
  serverId: string;
  serverResourceId: string;
  serverName: string;
  principalId: string;
}

export type PlannedAction = EnableServiceIdentityAction | GrantRoleAction | SetUseIdentityAction | SwitchServerAction;
