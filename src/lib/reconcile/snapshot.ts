import type {
  RoleAssignmentView,
  CloudEndpointView,
  RegisteredServerView,
  ServerEndpointView,
  StorageAccountView,
  StorageSyncServiceView,
  SyncGroupView,
} from "../azure";
import type { EngineHints } from "./hints";

export interface SyncGroupSnapshot extends SyncGroupView {
  cloudEndpoints: CloudEndpointView[];
  serverEndpoints: ServerEndpointView[];
}

/**
 * Everything `plan` needs, read from ARM by `observe`: the service, its
 * servers, its topology, and the role assignments of every principal that
 * needs grants (at, above and below each storage account involved).
 */
export interface Snapshot {
  service: StorageSyncServiceView;
  servers: RegisteredServerView[];
  syncGroups: SyncGroupSnapshot[];
  assignments: RoleAssignmentView[];
  /** The storage accounts behind the cloud endpoints (one GET each per run), for the prerequisite checks. */
  storageAccounts?: StorageAccountView[];
  /** With PRUNE_STALE_GRANTS: every assignment at or below the service's storage accounts (one list per account). */
  accountAssignments?: RoleAssignmentView[];
  hints?: EngineHints;
  /** The service's subscription's tenant, read only while the service has no identity to tell it. */
  subscriptionTenantId?: string;
  /**
   * Switched servers whose identity could not be compared with their machine's (ambiguous host name, unreadable scope).
   */
  driftWarnings?: string[];
  /** Only in runs that re-send an overdue switch: the Arc machine each such server runs on, by host name. */
  arcStatuses?: Record<string, { machineId: string; status?: string }>;
}
