import type { EmulatorDelays } from "./core";
import type { FaultRule } from "./faults/fault-rule";

/** Request and response shapes of the admin API, shared by server and client. */

export interface RegisterServerRequest {
  /** Storage Sync Service resource id. */
  serviceId: string;
  /** Default: a new GUID. */
  serverId?: string;
  serverName: string;
  agentVersion?: string;
  serverRole?: "Standalone" | "ClusterNode" | "ClusterName";
  clusterId?: string;
  clusterName?: string;
  /** Link to a machine resource id instead of matching by host name. */
  machineId?: string;
}

export type MachineIdentityAction = "enable" | "reset" | "disable";

export interface AddPrincipalRequest {
  principalId?: string;
  displayName?: string;
  type?: "ServicePrincipal" | "User" | "Group";
  /** false (default): created now, subject to the replication delay. */
  replicated?: boolean;
}

export interface EmulatorSettings {
  lroMode: "sync" | "async";
  enforceRbac: boolean;
  /** 0: one page per list; n: n items per page with nextLink. */
  listPageSize: number;
}

export type { EmulatorDelays, FaultRule };
