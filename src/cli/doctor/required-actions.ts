import { ROLE, ROLE_NAMES } from "../../lib/azure";

/**
 * What a run (`apply`, or the deployed app) needs to be allowed, where, and
 * the built-in role that grants it
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 */
export type RequirementScope = "service" | "resourceGroup" | "storageAccount";

export interface RequiredAction {
  action: string;
  scope: RequirementScope;
  why: string;
  role: string;
  /** Only needed when PRUNE_STALE_GRANTS is on. */
  onlyWhenPruning?: boolean;
}

const FILE_SYNC_ADMIN = "Azure File Sync Administrator";
const READER = "Reader";
const RBAC_ADMIN = "Role Based Access Control Administrator (with a condition limiting it to the File Sync roles)";

export const REQUIRED_ACTIONS: readonly RequiredAction[] = [
  {
    action: "Microsoft.StorageSync/storageSyncServices/read",
    scope: "service",
    why: "read the service",
    role: `${READER} or ${FILE_SYNC_ADMIN}`,
  },
  {
    action: "Microsoft.StorageSync/storageSyncServices/registeredServers/read",
    scope: "service",
    why: "read registered servers",
    role: `${READER} or ${FILE_SYNC_ADMIN}`,
  },
  {
    action: "Microsoft.StorageSync/storageSyncServices/syncGroups/read",
    scope: "service",
    why: "read sync groups",
    role: `${READER} or ${FILE_SYNC_ADMIN}`,
  },
  {
    action: "Microsoft.StorageSync/storageSyncServices/syncGroups/cloudEndpoints/read",
    scope: "service",
    why: "read cloud endpoints",
    role: `${READER} or ${FILE_SYNC_ADMIN}`,
  },
  {
    action: "Microsoft.StorageSync/storageSyncServices/syncGroups/serverEndpoints/read",
    scope: "service",
    why: "read server endpoints",
    role: `${READER} or ${FILE_SYNC_ADMIN}`,
  },
  {
    action: "Microsoft.StorageSync/storageSyncServices/write",
    scope: "service",
    why: "enable the service identity and useIdentity",
    role: FILE_SYNC_ADMIN,
  },
  {
    action: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
    scope: "service",
    why: "switch servers to their identity",
    role: FILE_SYNC_ADMIN,
  },
  {
    action: "Microsoft.HybridCompute/machines/read",
    scope: "resourceGroup",
    why: "read Arc machines' identities",
    role: READER,
  },
  {
    action: "Microsoft.Compute/virtualMachines/read",
    scope: "resourceGroup",
    why: "read Azure VMs' identities",
    role: READER,
  },
  {
    action: "Microsoft.Storage/storageAccounts/read",
    scope: "storageAccount",
    why: "check the storage prerequisites",
    role: `${READER} or ${FILE_SYNC_ADMIN}`,
  },
  {
    action: "Microsoft.Authorization/roleAssignments/read",
    scope: "storageAccount",
    why: "see which grants exist",
    role: `${READER} or ${FILE_SYNC_ADMIN}`,
  },
  {
    action: "Microsoft.Authorization/roleAssignments/write",
    scope: "storageAccount",
    why: `grant ${Object.values(ROLE_NAMES).join(" and ")}`,
    role: `${FILE_SYNC_ADMIN} or ${RBAC_ADMIN}`,
  },
  {
    action: "Microsoft.Authorization/roleAssignments/delete",
    scope: "storageAccount",
    why: "prune stale grants (PRUNE_STALE_GRANTS)",
    role: RBAC_ADMIN,
    onlyWhenPruning: true,
  },
];

/** The roles a run assigns: each roleAssignments/write must pass a condition for both. */
export const ASSIGNED_ROLES: readonly string[] = Object.values(ROLE);

export function requiredAt(scope: RequirementScope, pruning: boolean): RequiredAction[] {
  return REQUIRED_ACTIONS.filter((r) => r.scope === scope && (pruning || !r.onlyWhenPruning));
}
