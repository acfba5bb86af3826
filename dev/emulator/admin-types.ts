import type { EmulatorDelays } from "./core";
import type { FaultRule } from "./faults/fault-rule";
import type { SeedNetworkAcls } from "./seed";

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
  /** The directory (Entra tenant) that holds it; default: the seed's tenant. */
  tenantId?: string;
}

export type ArcMachineStatus = "Connected" | "Disconnected" | "Error" | "Expired";

/** A storage account change made outside the product (portal): omitted fields stay as they are. */
export interface StorageAccountChange {
  id: string;
  /** Replaces `properties.networkAcls`; omitted fields take Azure's defaults (Allow, AzureServices, no rules). */
  networkAcls?: SeedNetworkAcls;
  /** null: the property is no longer returned (Azure treats that as true). */
  allowSharedKeyAccess?: boolean | null;
}

export interface EmulatorSettings {
  lroMode: "sync" | "async";
  enforceRbac: boolean;
  /** 0: one page per list; n: n items per page with nextLink. */
  listPageSize: number;
}

export type { EmulatorDelays, FaultRule };
