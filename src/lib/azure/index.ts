/**
 * Azure Resource Manager, as this app needs it: one connection (the SDK's
 * pipeline with its retry policy, a throttle gate and a per-run call
 * counter), typed reads and writes of Storage Sync Services, registered
 * servers, role assignments, storage accounts and Arc machines, ARM errors as
 * data, and resource ids. It imports nothing else of ours; everything above
 * it (the engine, the composition root, the handlers) comes in through this
 * file.
 */
export { createArmConnection, type ArmConnection } from "./arm-connection";
export { withWriteFence, type WriteFence } from "./write-fence";
export { armUrl, listArmJson, sendArmJson } from "./arm-request";
export {
  ArmOperationError,
  isReplicationDelay,
  isTransient,
  isTransientArmError,
  toArmErrorInfo,
  type ArmErrorInfo,
} from "./arm-error";
export { countArmCalls, type ArmCallCounts } from "./call-counter";
export { createCredential } from "./credential";
export { GUID, GUID_SOURCE, sameGuid } from "./guid";
export { listMachinesAt, type MachineIdentity } from "./machines";
export { ROLE_ASSIGNMENT_LIMIT, readRoleAssignmentQuota, type RoleAssignmentQuota } from "./role-assignment-quota";
export { getMachineIdentity, getRegisteredServer, listRegisteredServers, listStorageSyncServices } from "./reads";
export {
  isSameOrDescendantScope,
  isWithinScopes,
  lastSegment,
  managedScopeProblem,
  normalizeResourceId,
  parseResourceId,
  resourceIdKey,
  storageSyncResourceProblem,
  storageSyncServiceIdOf,
  storageSyncServiceIdProblem,
} from "./resource-id";
export {
  ROLE,
  ROLE_NAMES,
  createRoleAssignment,
  deleteRoleAssignmentById,
  isProductAssignment,
  listRoleAssignmentsAt,
  listRoleAssignmentsForPrincipal,
  roleAssignmentName,
  type RoleAssignmentView,
  type RoleDefinitionGuid,
} from "./role-assignments";
export { isResourceDeleted, storageSyncServiceDeletion } from "./service-deletion";
export { getStorageAccount } from "./storage-accounts";
export {
  getRegisteredServerById,
  getStorageSyncService,
  listCloudEndpoints,
  listRegisteredServersOf,
  listServerEndpoints,
  listStorageSyncServiceIds,
  listSyncGroups,
  patchRegisteredServerIdentity,
  patchStorageSyncService,
} from "./storage-sync";
export { getSubscriptionTenant } from "./subscriptions";
export { ThrottleWaitMeter } from "./throttle-gate";
export type {
  CloudEndpointView,
  RegisteredServerView,
  ServerEndpointView,
  ServiceIdentityType,
  StorageAccountView,
  StorageSyncServiceView,
  SyncGroupView,
} from "./views";
export { writeTookEffect, type JournaledWrite } from "./write-effects";
export { WRITE_KINDS, type WriteKind } from "./write-kinds";
export { roundRobinBySubscription } from "./subscription-order";
