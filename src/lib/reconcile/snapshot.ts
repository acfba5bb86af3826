import type { RoleAssignmentView } from "../azure/role-assignments";
import type {
  CloudEndpointView,
  RegisteredServerView,
  ServerEndpointView,
  StorageSyncServiceView,
  SyncGroupView,
} from "../azure/views";

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
}
