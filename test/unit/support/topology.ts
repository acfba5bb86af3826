/**
 * Test helpers: build snapshots by hand or at random (fast-check), and a tiny
 * pure in-memory "apply" that does to a snapshot what ARM does for each action.
 */
import fc from "fast-check";
import type { PlannedAction } from "../../../src/lib/reconcile/actions";
import type { Snapshot, SyncGroupSnapshot } from "../../../src/lib/reconcile/snapshot";
import type { RegisteredServerView, ServiceIdentityType } from "../../../src/lib/azure/views";
import { ROLE } from "../../../src/lib/azure/role-assignments";
import { fileShareScope } from "../../../src/lib/reconcile/required-grants";

export const SUB_A = "11111111-1111-1111-1111-111111111111";
export const SUB_B = "22222222-2222-2222-2222-222222222222";
export const SERVICE_ID = `/subscriptions/${SUB_A}/resourceGroups/rg-sync/providers/Microsoft.StorageSync/storageSyncServices/sss`;
export const NEW_SERVICE_PRINCIPAL = "5e5e5e5e-0000-4000-8000-000000000001";

export const guid = (n: number, prefix = "a"): string =>
  `${prefix.repeat(8)}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

export function accountId(sub: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/${name}`;
}

export function server(serverId: string, props: Partial<RegisteredServerView> = {}): RegisteredServerView {
  return {
    resourceId: `${SERVICE_ID}/registeredServers/${serverId}`,
    serverId,
    serviceId: SERVICE_ID,
    name: props.friendlyName ?? `srv-${serverId.slice(-4)}`,
    serverRole: "Standalone",
    agentVersion: "21.2.0.0",
    activeAuthType: "Certificate",
    ...props,
  };
}

export function syncGroup(
  name: string,
  cloud: Array<{ account: string; share: string }>,
  serverIds: string[],
): SyncGroupSnapshot {
  const id = `${SERVICE_ID}/syncGroups/${name}`;
  return {
    resourceId: id,
    name,
    cloudEndpoints: cloud.map((c, i) => ({
      resourceId: `${id}/cloudEndpoints/ce${i}`,
      syncGroupId: id,
      storageAccountResourceId: c.account,
      azureFileShareName: c.share,
    })),
    serverEndpoints: serverIds.map((s, i) => ({
      resourceId: `${id}/serverEndpoints/se${i}`,
      syncGroupId: id,
      serverResourceId: `${SERVICE_ID}/registeredServers/${s}`,
    })),
  };
}

export function snapshotOf(
  parts: Partial<Snapshot> & { servers: RegisteredServerView[]; syncGroups: SyncGroupSnapshot[] },
): Snapshot {
  return {
    ...parts,
    service: parts.service ?? {
      resourceId: SERVICE_ID,
      name: "sss",
      identity: { type: "None", userAssignedIdentityIds: [] },
      useIdentity: false,
    },
    servers: parts.servers,
    syncGroups: parts.syncGroups,
    assignments: parts.assignments ?? [],
  };
}

/** What ARM (and the emulator's agent) does to the state for each action, purely. */
export function applyToSnapshot(snapshot: Snapshot, actions: PlannedAction[]): Snapshot {
  const next: Snapshot = structuredClone(snapshot);
  for (const action of actions) {
    switch (action.kind) {
      case "enableServiceIdentity":
        next.service.identity = {
          ...next.service.identity,
          type: action.toType,
          principalId: next.service.identity.principalId ?? NEW_SERVICE_PRINCIPAL,
        };
        break;
      case "grantRole": {
        const principalId =
          action.principal.kind === "service"
            ? (action.principal.principalId ?? next.service.identity.principalId)
            : action.principal.principalId;
        if (!principalId) throw new Error(`grant ${action.id} has no principal at apply time`);
        next.assignments.push({
          id: `assignment-${next.assignments.length}`,
          scope: action.scope,
          principalId,
          roleDefinitionGuid: action.roleDefinitionGuid,
        });
        break;
      }
      case "setUseIdentity":
        next.service.useIdentity = true;
        break;
      case "switchServer": {
        const s = next.servers.find((x) => x.serverId === action.serverId);
        if (!s) throw new Error(`no server ${action.serverId}`);
        s.applicationId = s.latestApplicationId ?? s.applicationId;
        s.latestApplicationId = undefined;
        s.identity = true;
        break;
      }
    }
  }
  return next;
}

const optionalGuid = (prefix: string) =>
  fc.oneof(
    fc.constant(undefined),
    fc.constant("00000000-0000-0000-0000-000000000000"),
    fc.integer({ min: 1, max: 6 }).map((n) => guid(n, prefix)),
  );

/**
 * Random topologies: accounts in two subscriptions, clusters, odd server states, pre-existing (inherited) assignments.
 */
export const snapshotArbitrary: fc.Arbitrary<Snapshot> = fc
  .record({
    identityType: fc.constantFrom<ServiceIdentityType>(
      "None",
      "SystemAssigned",
      "UserAssigned",
      "SystemAssigned,UserAssigned",
    ),
    useIdentity: fc.boolean(),
    accounts: fc.array(
      fc.record({ sub: fc.constantFrom(SUB_A, SUB_B), name: fc.constantFrom("acct1", "acct2", "acct3") }),
      { minLength: 1, maxLength: 3 },
    ),
    servers: fc.array(
      fc.record({
        role: fc.constantFrom("Standalone", "Standalone", "ClusterNode"),
        agentVersion: fc.constantFrom("17.0.0.0", "19.1.0.0", "20.0.0.0", "21.2.0.0", undefined),
        applicationId: optionalGuid("b"),
        latestApplicationId: optionalGuid("c"),
        activeAuthType: fc.constantFrom("Certificate", "ManagedIdentity", "certificate", undefined),
        identity: fc.constantFrom(true, false, undefined),
      }),
      { maxLength: 6 },
    ),
    withCluster: fc.boolean(),
    groups: fc.array(
      fc.record({
        clouds: fc.array(fc.record({ account: fc.nat(), share: fc.constantFrom("share1", "share2") }), {
          maxLength: 2,
        }),
        endpoints: fc.array(fc.nat(), { maxLength: 3 }),
      }),
      { maxLength: 4 },
    ),
    existing: fc.array(
      fc.record({
        who: fc.oneof(fc.constant("service" as const), optionalGuid("b"), optionalGuid("c")),
        role: fc.constantFrom(ROLE.storageAccountContributor, ROLE.storageFileDataPrivilegedContributor),
        at: fc.constantFrom("subscription", "resourceGroup", "account", "share"),
        account: fc.nat(),
        share: fc.constantFrom("share1", "share2"),
      }),
      { maxLength: 6 },
    ),
  })
  .map((r) => {
    const clusterId = "cccccccc-0000-4000-8000-0000000000cc";
    const servers: RegisteredServerView[] = r.servers.map((s, i) =>
      server(guid(i + 1, "d"), {
        serverRole: s.role === "ClusterNode" && r.withCluster ? "ClusterNode" : "Standalone",
        clusterId: s.role === "ClusterNode" && r.withCluster ? clusterId : undefined,
        agentVersion: s.agentVersion,
        // Each server has its own identities (index-based), zero GUIDs already normalised away by views.
        applicationId: s.applicationId && !s.applicationId.startsWith("0000") ? guid(i + 1, "b") : undefined,
        latestApplicationId:
          s.latestApplicationId && !s.latestApplicationId.startsWith("0000") ? guid(i + 1, "c") : undefined,
        activeAuthType: s.activeAuthType === "certificate" ? "Certificate" : s.activeAuthType,
        identity: s.identity,
      }),
    );
    if (r.withCluster)
      servers.push(server(clusterId, { serverRole: "ClusterName", clusterId, clusterName: "cluster" }));
    const accounts = r.accounts.map((a) => accountId(a.sub, a.name));
    const endpointTargets = servers.map((s) => s.serverId);
    const syncGroups = r.groups.map((g, gi) =>
      syncGroup(
        `sg${gi}`,
        g.clouds.map((c) => ({ account: accounts[c.account % accounts.length] as string, share: c.share })),
        endpointTargets.length === 0
          ? []
          : g.endpoints.map((e) => endpointTargets[e % endpointTargets.length] as string),
      ),
    );
    const hasSystem = r.identityType.startsWith("SystemAssigned");
    const servicePrincipal = hasSystem ? "5e5e5e5e-0000-4000-8000-00000000000a" : undefined;
    const assignments = r.existing.flatMap((e, i) => {
      const principalId = e.who === "service" ? servicePrincipal : e.who;
      if (!principalId || principalId.startsWith("0000")) return [];
      const account = accounts[e.account % accounts.length] as string;
      const sub = account.split("/")[2] as string;
      const scope =
        e.at === "subscription"
          ? `/subscriptions/${sub}`
          : e.at === "resourceGroup"
            ? `/subscriptions/${sub}/resourceGroups/rg-data`
            : e.at === "account"
              ? account
              : fileShareScope(account, e.share);
      return [{ id: `pre-${i}`, scope, principalId, roleDefinitionGuid: e.role }];
    });
    return snapshotOf({
      service: {
        resourceId: SERVICE_ID,
        name: "sss",
        identity: {
          type: r.identityType,
          principalId: servicePrincipal,
          userAssignedIdentityIds: r.identityType.includes("UserAssigned")
            ? [
                `/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai`,
              ]
            : [],
        },
        useIdentity: r.useIdentity,
      },
      servers,
      syncGroups,
      assignments,
    });
  });
