import { PUBLISHED_AGENT_VERSIONS, type AgentVersionEntry, type AgentVersionStatus } from "./agent-versions";
import { idKey } from "./resource-id";
import { IndexedRecords } from "./indexed-records";
import { RoleAssignmentStore } from "./role-assignment-store";

/** In-memory records of everything the emulator serves. Keys are `idKey(id)`. */

export interface SubscriptionRecord {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  /**
   * Role assignments it may hold at subscription, resource-group and resource scope (Azure: 4,000; seeds may lower it).
   */
  roleAssignmentLimit?: number;
}

export interface ResourceGroupRecord {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
}

export interface UserAssignedIdentityRecord {
  principalId: string;
  clientId: string;
}

export interface ServiceIdentityRecord {
  /** SystemAssigned principal, when the type includes SystemAssigned. */
  principalId?: string;
  userAssigned: Record<string, UserAssignedIdentityRecord>;
}

export interface ServiceRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  identity?: ServiceIdentityRecord;
  useIdentity: boolean;
  uid: string;
  incomingTrafficPolicy: string;
  lastWorkflowId?: string;
  lastOperationName?: string;
}

export interface ServerRecord {
  id: string;
  serviceId: string;
  serverId: string;
  serverName: string;
  friendlyName: string;
  agentVersion: string;
  /** As the service last judged the agent (dev/emulator/agent-versions.ts); absent: Ok. */
  agentVersionStatus?: AgentVersionStatus;
  /** The agent version's published expiration (ISO 8601), when there is one. */
  agentVersionExpiresAt?: string;
  serverRole: "Standalone" | "ClusterNode" | "ClusterName";
  clusterId: string;
  clusterName: string;
  serverOSVersion: string;
  serverCertificate: string;
  applicationId?: string;
  latestApplicationId?: string;
  activeAuthType: "Certificate" | "ManagedIdentity";
  /** `properties.identity`: the service has been told to use the server's identity. */
  identity: boolean;
  /** Explicit link to a machine/VM id; otherwise matched by host name. */
  machineId?: string;
  registeredAtMs: number;
  /** Simulated agent: set by PATCH identity:true, cleared when the switch is picked up. */
  pendingSwitch?: {
    principalId: string;
    sinceMs: number;
    /**
     * The server used its identity when the switch came (a repair): its agent keeps presenting an identity meanwhile.
     */
    fromIdentity?: boolean;
  };
  /** Simulated agent: the last error it reports (hex string like 0x80c86063). */
  agentError?: string;
  /** Simulated agent fault: it never picks up a switch (stays on its certificate). */
  agentIgnoresSwitch?: boolean;
  serverManagementErrorCode: number;
  lastHeartBeatMs: number;
  lastWorkflowId?: string;
  lastOperationName?: string;
}

export interface SyncGroupRecord {
  id: string;
  serviceId: string;
  name: string;
  uniqueId: string;
}

export interface CloudEndpointRecord {
  id: string;
  syncGroupId: string;
  name: string;
  storageAccountResourceId: string;
  azureFileShareName: string;
  storageAccountTenantId: string;
  friendlyName: string;
  partnershipId: string;
}

export interface ServerEndpointRecord {
  id: string;
  syncGroupId: string;
  name: string;
  serverResourceId: string;
  serverLocalPath: string;
  friendlyName: string;
  cloudTiering: string;
  volumeFreeSpacePercent: number;
  tierFilesOlderThanDays: number;
  offlineDataTransfer: string;
}

/** `properties.networkAcls` of a storage account (Microsoft.Storage 2023-05-01 NetworkRuleSet). */
export interface NetworkAclsRecord {
  defaultAction: "Allow" | "Deny";
  /** "None" or a comma-separated combination of Logging, Metrics, AzureServices. */
  bypass: string;
  ipRules: { value: string; action: "Allow" }[];
  virtualNetworkRules: { id: string; action: "Allow"; state?: string }[];
}

export interface StorageAccountRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  networkAcls: NetworkAclsRecord;
  /** Absent: the property is not returned, which Azure documents as true. */
  allowSharedKeyAccess?: boolean;
}

/** Azure's network rules for an account created with defaults: open to all networks. */
export const DEFAULT_NETWORK_ACLS: NetworkAclsRecord = {
  defaultAction: "Allow",
  bypass: "AzureServices",
  ipRules: [],
  virtualNetworkRules: [],
};

export interface FileShareRecord {
  /** Canonical id, with `fileshares` (the form used as a role assignment scope). */
  id: string;
  accountId: string;
  name: string;
}

export interface MachineIdentityRecord {
  principalId: string;
  tenantId: string;
  /** When this principal became the machine's identity (agent discovery counts from here). */
  sinceMs: number;
}

/** `properties.status` of an Arc machine (Microsoft.HybridCompute StatusTypes). */
export type ArcStatus = "Connected" | "Disconnected" | "Error" | "Expired";
export const ARC_STATUSES: readonly ArcStatus[] = ["Connected", "Disconnected", "Error", "Expired"];

export interface MachineRecord {
  id: string;
  kind: "arc" | "vm";
  /** Arc machines only; VMs have no such property. */
  status?: ArcStatus;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  hostName: string;
  location: string;
  identity?: MachineIdentityRecord;
  /** User-assigned identities' principals: rendered under identity.userAssignedIdentities, never the agent's. */
  userAssignedPrincipalIds?: string[];
  tags: Record<string, string>;
  vmId: string;
}

export interface RoleAssignmentRecord {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  condition?: string;
  conditionVersion?: string;
  description?: string;
  createdOn: string;
  updatedOn: string;
  createdBy: string;
  updatedBy: string;
}

export interface PrincipalRecord {
  principalId: string;
  type: "ServicePrincipal" | "User" | "Group";
  displayName: string;
  createdAtMs: number;
  /** The Entra tenant whose directory holds the principal; absent: the seed's tenant. */
  tenantId?: string;
}

export class EmulatorState {
  tenantId = "";
  callerPrincipalId = "";
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly resourceGroups = new Map<string, ResourceGroupRecord>();
  readonly services = new Map<string, ServiceRecord>();
  readonly servers = new Map<string, ServerRecord>();
  readonly syncGroups = new Map<string, SyncGroupRecord>();
  /** Indexed by sync group (`idKey`). */
  readonly cloudEndpoints = new IndexedRecords<CloudEndpointRecord>((c) => idKey(c.syncGroupId));
  /** Indexed by registered server (`idKey` of its resource id). */
  readonly serverEndpoints = new IndexedRecords<ServerEndpointRecord>((s) => idKey(s.serverResourceId));
  readonly storageAccounts = new Map<string, StorageAccountRecord>();
  readonly fileShares = new Map<string, FileShareRecord>();
  readonly machines = new Map<string, MachineRecord>();
  readonly roleAssignments = new RoleAssignmentStore();
  readonly principals = new Map<string, PrincipalRecord>();
  /**
   * The agent-version table the service judges agents by: the published one unless a seed chose its own
   * (an empty table, a seed's explicit "none", keeps every agent Ok).
   */
  agentVersions: readonly AgentVersionEntry[] = PUBLISHED_AGENT_VERSIONS;

  clear(): void {
    this.agentVersions = PUBLISHED_AGENT_VERSIONS;
    for (const m of [
      this.subscriptions,
      this.resourceGroups,
      this.services,
      this.servers,
      this.syncGroups,
      this.cloudEndpoints,
      this.serverEndpoints,
      this.storageAccounts,
      this.fileShares,
      this.machines,
      this.roleAssignments,
      this.principals,
    ] as Map<string, unknown>[]) {
      m.clear();
    }
  }

  /** A deep copy, for `restore` to undo a change. */
  snapshot(): EmulatorState {
    const copy = new EmulatorState();
    copy.tenantId = this.tenantId;
    copy.callerPrincipalId = this.callerPrincipalId;
    copy.agentVersions = this.agentVersions;
    for (const [theirs, mine] of copy.mapPairs(this)) for (const [k, v] of mine) theirs.set(k, structuredClone(v));
    return copy;
  }

  /**
   * Puts back what a snapshot holds, in place: records that still exist keep
   * their identity (code holding them, such as a pending operation, sees the
   * restored values), added ones go, removed ones return.
   */
  restore(snapshot: EmulatorState): void {
    this.agentVersions = snapshot.agentVersions;
    for (const [mine, theirs] of this.mapPairs(snapshot)) {
      for (const k of [...mine.keys()]) if (!theirs.has(k)) mine.delete(k);
      for (const [k, v] of theirs) {
        const current = mine.get(k);
        if (current && typeof current === "object") {
          for (const key of Object.keys(current)) delete (current as Record<string, unknown>)[key];
          Object.assign(current, structuredClone(v));
        } else mine.set(k, structuredClone(v));
      }
    }
    // Restored in place above, so the store's indexes may name a principal or scope a record no longer has.
    this.roleAssignments.reindex();
    this.cloudEndpoints.reindex();
    this.serverEndpoints.reindex();
  }

  private mapPairs(other: EmulatorState): [Map<string, unknown>, Map<string, unknown>][] {
    return [
      [this.subscriptions, other.subscriptions],
      [this.resourceGroups, other.resourceGroups],
      [this.services, other.services],
      [this.servers, other.servers],
      [this.syncGroups, other.syncGroups],
      [this.cloudEndpoints, other.cloudEndpoints],
      [this.serverEndpoints, other.serverEndpoints],
      [this.storageAccounts, other.storageAccounts],
      [this.fileShares, other.fileShares],
      [this.machines, other.machines],
      [this.roleAssignments, other.roleAssignments],
      [this.principals, other.principals],
    ];
  }

  /** Takes over everything another state holds (used to swap in a fully validated seed). */
  replaceWith(other: EmulatorState): void {
    this.tenantId = other.tenantId;
    this.callerPrincipalId = other.callerPrincipalId;
    this.agentVersions = other.agentVersions;
    for (const [mine, theirs] of this.mapPairs(other)) {
      mine.clear();
      for (const [k, v] of theirs) mine.set(k, v);
    }
  }

  subscription(id: string): SubscriptionRecord | undefined {
    return this.subscriptions.get(id.toLowerCase());
  }

  /** The Entra tenant a scope belongs to: its subscription's, or the seed's for the root and unknown subscriptions. */
  tenantOfScope(scope: string): string {
    const sub = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
    return (sub ? this.subscription(sub)?.tenantId : undefined) ?? this.tenantId;
  }

  resourceGroup(subscriptionId: string, name: string): ResourceGroupRecord | undefined {
    return this.resourceGroups.get(idKey(`/subscriptions/${subscriptionId}/resourceGroups/${name}`));
  }

  principal(id: string): PrincipalRecord | undefined {
    return this.principals.get(id.toLowerCase());
  }

  addPrincipal(p: PrincipalRecord): PrincipalRecord {
    this.principals.set(p.principalId.toLowerCase(), p);
    return p;
  }

  serversOf(serviceId: string): ServerRecord[] {
    const k = idKey(serviceId);
    return [...this.servers.values()].filter((s) => idKey(s.serviceId) === k);
  }

  syncGroupsOf(serviceId: string): SyncGroupRecord[] {
    const k = idKey(serviceId);
    return [...this.syncGroups.values()].filter((s) => idKey(s.serviceId) === k);
  }

  cloudEndpointsOf(syncGroupId: string): CloudEndpointRecord[] {
    const k = idKey(syncGroupId);
    return this.cloudEndpoints.withIndex(k);
  }

  serverEndpointsOf(syncGroupId: string): ServerEndpointRecord[] {
    const k = idKey(syncGroupId);
    return [...this.serverEndpoints.values()].filter((s) => idKey(s.syncGroupId) === k);
  }

  /** Does a resource with this id exist (any kind the emulator knows, incl. subscriptions and groups)? */
  exists(id: string): boolean {
    const k = idKey(id);
    if (k === "/") return true;
    const sub = /^\/subscriptions\/([^/]+)$/.exec(k);
    if (sub) return this.subscriptions.has(sub[1] ?? "");
    if (this.resourceGroups.has(k)) return true;
    const shareAlias = k.replace(/\/fileservices\/default\/shares\//, "/fileservices/default/fileshares/");
    if (this.fileShares.has(shareAlias)) return true;
    if (k.endsWith("/fileservices/default") && this.storageAccounts.has(k.slice(0, -"/fileservices/default".length)))
      return true;
    for (const m of [
      this.services,
      this.servers,
      this.syncGroups,
      this.cloudEndpoints,
      this.serverEndpoints,
      this.storageAccounts,
      this.machines,
    ] as Map<string, unknown>[]) {
      if (m.has(k)) return true;
    }
    return false;
  }
}
