import { randomUUID } from "node:crypto";
import type { SimulatedClock } from "./clock";
import { ROLE_IDS, findRole } from "./roles";
import { idKey } from "./resource-id";
import { ids, type Seed, type SeedResourceGroup, type SeedStorageSyncService } from "./seed";
import {
  DEFAULT_NETWORK_ACLS,
  type EmulatorState,
  type MachineRecord,
  type ServerRecord,
  type ServiceRecord,
} from "./state";
import { judgeAgentVersion, presentGuid } from "./agent";
import { ROLE_ASSIGNMENTS_PER_SUBSCRIPTION, fileSyncShapeProblems } from "./limits";
import { PUBLISHED_AGENT_VERSIONS, type AgentVersionEntry } from "./agent-versions";

const READER_ROLE_GUID = ROLE_IDS.reader;

/** Seeded principals count as created this long ago: long replicated. */
const LONG_AGO_MS = 24 * 3600 * 1000;

/** Replaces the state with what the seed describes. Throws naming the first inconsistency. */
export function loadSeedIntoState(state: EmulatorState, seed: Seed, clock: SimulatedClock): void {
  state.clear();
  const now = clock.now();
  state.tenantId = seed.tenantId;
  state.callerPrincipalId = seed.caller.principalId;
  state.addPrincipal({
    principalId: seed.caller.principalId,
    type: "ServicePrincipal",
    displayName: seed.caller.displayName ?? "automation",
    createdAtMs: now - LONG_AGO_MS,
  });
  for (const p of seed.principals) {
    state.addPrincipal({
      principalId: p.principalId,
      type: p.type,
      displayName: p.displayName ?? p.principalId,
      createdAtMs: now - (p.createdAgoMs ?? LONG_AGO_MS),
      tenantId: p.tenantId,
    });
  }
  const longAgo = now - LONG_AGO_MS;
  const knownPrincipal = (principalId: string, displayName: string, tenantId?: string): void => {
    if (!state.principal(principalId))
      state.addPrincipal({ principalId, type: "ServicePrincipal", displayName, createdAtMs: longAgo, tenantId });
  };

  for (const sub of seed.subscriptions) {
    const subId = sub.subscriptionId.toLowerCase();
    state.subscriptions.set(subId, {
      subscriptionId: sub.subscriptionId,
      displayName: sub.displayName ?? sub.subscriptionId,
      tenantId: sub.tenantId ?? seed.tenantId,
      ...(sub.roleAssignmentLimit !== undefined ? { roleAssignmentLimit: sub.roleAssignmentLimit } : {}),
    });
  }
  // Resources after every subscription: a cloud endpoint's storageAccountTenantId is its account's subscription's
  // tenant.
  for (const sub of seed.subscriptions) {
    for (const rg of sub.resourceGroups)
      loadResourceGroup(state, seed, sub.subscriptionId, rg, longAgo, knownPrincipal);
  }

  validateSeedLinks(state);
  state.agentVersions = agentVersionTable(seed.agentVersions, now);
  for (const server of state.servers.values()) judgeAgentVersion(state, server, now);
  for (const sub of seed.subscriptions) fillRoleAssignments(state, sub, seed.caller.principalId, longAgo);

  for (const ra of seed.roleAssignments) {
    const role = findRole(ra.role);
    if (!role) throw new Error(`Invalid seed: roleAssignments: unknown role '${ra.role}'`);
    if (!state.exists(ra.scope))
      throw new Error(`Invalid seed: roleAssignments: scope '${ra.scope}' names no seeded resource`);
    const name = ra.name ?? randomUUID();
    // The root scope stays "/" (ARM answers `scope: "/"` for it); stripping its slash left "".
    const scope = ra.scope === "/" ? "/" : ra.scope.replace(/\/$/, "");
    const id = `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const subOfScope = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
    const iso = new Date(longAgo).toISOString();
    state.roleAssignments.set(idKey(id), {
      id,
      name,
      scope,
      roleDefinitionId: `${subOfScope ? `/subscriptions/${subOfScope}` : ""}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
      principalId: ra.principalId,
      principalType: ra.principalType ?? state.principal(ra.principalId)?.type ?? "ServicePrincipal",
      condition: ra.condition,
      conditionVersion: ra.conditionVersion ?? (ra.condition ? "2.0" : undefined),
      createdOn: iso,
      updatedOn: iso,
      createdBy: seed.caller.principalId,
      updatedBy: seed.caller.principalId,
    });
  }
}

function loadResourceGroup(
  state: EmulatorState,
  seed: Seed,
  subscriptionId: string,
  rg: SeedResourceGroup,
  longAgo: number,
  knownPrincipal: KnownPrincipal,
): void {
  const rgId = ids.resourceGroup(subscriptionId, rg.name);
  state.resourceGroups.set(idKey(rgId), { id: rgId, subscriptionId, name: rg.name, location: rg.location });

  for (const acct of rg.storageAccounts) {
    const id = ids.storageAccount(subscriptionId, rg.name, acct.name);
    state.storageAccounts.set(idKey(id), {
      id,
      subscriptionId,
      resourceGroup: rg.name,
      name: acct.name,
      location: rg.location,
      networkAcls: acct.networkAcls ? structuredClone(acct.networkAcls) : structuredClone(DEFAULT_NETWORK_ACLS),
      allowSharedKeyAccess: acct.allowSharedKeyAccess,
    });
    for (const share of acct.fileShares) {
      const shareId = ids.fileShare(id, share);
      state.fileShares.set(idKey(shareId), { id: shareId, accountId: id, name: share });
    }
  }

  const machines: [typeof rg.arcMachines, MachineRecord["kind"]][] = [
    [rg.arcMachines, "arc"],
    [rg.virtualMachines, "vm"],
  ];
  for (const [list, kind] of machines) {
    for (const m of list) {
      const id =
        kind === "arc"
          ? ids.arcMachine(subscriptionId, rg.name, m.name)
          : ids.virtualMachine(subscriptionId, rg.name, m.name);
      const principalId = m.identity ? (m.identity.principalId ?? randomUUID()) : undefined;
      const identityTenant = m.identity?.tenantId ?? state.tenantOfScope(id);
      if (principalId) knownPrincipal(principalId, m.name, identityTenant);
      if (m.status && kind !== "arc")
        throw new Error(`Invalid seed: virtual machine ${m.name}: 'status' is an Arc machine property`);
      state.machines.set(idKey(id), {
        id,
        kind,
        subscriptionId,
        resourceGroup: rg.name,
        name: m.name,
        hostName: m.hostName ?? m.name,
        location: rg.location,
        identity: principalId ? { principalId, tenantId: identityTenant, sinceMs: longAgo } : undefined,
        ...(kind === "arc" ? { status: m.status ?? "Connected" } : {}),
        ...(m.userAssignedPrincipalIds?.length
          ? { userAssignedPrincipalIds: m.userAssignedPrincipalIds.map((p) => p.toLowerCase()) }
          : {}),
        tags: {},
        vmId: randomUUID(),
      });
    }
  }

  for (const svc of rg.storageSyncServices) loadService(state, seed, subscriptionId, rg, svc, longAgo, knownPrincipal);
}

function loadService(
  state: EmulatorState,
  seed: Seed,
  subscriptionId: string,
  rg: SeedResourceGroup,
  svc: SeedStorageSyncService,
  longAgo: number,
  knownPrincipal: KnownPrincipal,
): void {
  const serviceId = ids.storageSyncService(subscriptionId, rg.name, svc.name);
  let identity: ServiceRecordIdentity | undefined;
  if (svc.identity && svc.identity.type !== "None") {
    const hasSystem = svc.identity.type.includes("SystemAssigned");
    const principalId = hasSystem ? (svc.identity.principalId ?? randomUUID()) : undefined;
    if (principalId) knownPrincipal(principalId, `${svc.name} (service identity)`);
    const userAssigned: ServiceRecordIdentity["userAssigned"] = {};
    for (const ua of svc.identity.userAssignedIdentities ?? []) {
      const p = randomUUID();
      knownPrincipal(p, ua);
      userAssigned[ua] = { principalId: p, clientId: randomUUID() };
    }
    identity = { principalId, userAssigned };
  }
  state.services.set(idKey(serviceId), {
    id: serviceId,
    subscriptionId,
    resourceGroup: rg.name,
    name: svc.name,
    location: svc.location ?? rg.location,
    tags: {},
    identity,
    useIdentity: svc.useIdentity,
    uid: randomUUID(),
    incomingTrafficPolicy: "AllowAllTraffic",
  });

  for (const s of svc.registeredServers) {
    const id = ids.registeredServer(serviceId, s.serverId);
    for (const p of [presentGuid(s.applicationId), presentGuid(s.latestApplicationId)])
      if (p) knownPrincipal(p, s.serverName);
    if (s.registeredWithIdentity && (!presentGuid(s.applicationId) || s.activeAuthType !== "ManagedIdentity"))
      throw new Error(
        `Invalid seed: registered server ${s.serverId}: registeredWithIdentity needs applicationId and activeAuthType ManagedIdentity`,
      );
    const server: ServerRecord = {
      id,
      serviceId,
      serverId: s.serverId,
      serverName: s.serverName,
      friendlyName: s.friendlyName ?? s.serverName,
      agentVersion: s.agentVersion,
      serverRole: s.serverRole,
      clusterId: s.clusterId ?? "00000000-0000-0000-0000-000000000000",
      clusterName: s.clusterName ?? "",
      serverOSVersion: "10.0.20348.0",
      serverCertificate: s.registeredWithIdentity ? "" : "MIIDFAKECERT",
      applicationId: presentGuid(s.applicationId),
      latestApplicationId: presentGuid(s.latestApplicationId),
      activeAuthType: s.activeAuthType,
      ...(s.agentIgnoresSwitch ? { agentIgnoresSwitch: true } : {}),
      identity: s.activeAuthType === "ManagedIdentity",
      machineId: s.machineId,
      registeredAtMs: longAgo,
      serverManagementErrorCode: 0,
      lastHeartBeatMs: longAgo,
    };
    state.servers.set(idKey(id), server);
  }

  for (const sg of svc.syncGroups) {
    const sgId = ids.syncGroup(serviceId, sg.name);
    state.syncGroups.set(idKey(sgId), { id: sgId, serviceId, name: sg.name, uniqueId: randomUUID() });
    for (const ce of sg.cloudEndpoints) {
      const id = `${sgId}/cloudEndpoints/${ce.name}`;
      state.cloudEndpoints.set(idKey(id), {
        id,
        syncGroupId: sgId,
        name: ce.name,
        storageAccountResourceId: ce.storageAccountResourceId,
        azureFileShareName: ce.azureFileShareName,
        storageAccountTenantId: state.tenantOfScope(ce.storageAccountResourceId),
        friendlyName: ce.azureFileShareName,
        partnershipId: randomUUID(),
      });
    }
    for (const se of sg.serverEndpoints) {
      const id = `${sgId}/serverEndpoints/${se.name}`;
      const serverResourceId = ids.registeredServer(serviceId, se.serverId);
      if (!state.servers.has(idKey(serverResourceId))) {
        throw new Error(
          `Invalid seed: service ${svc.name}, sync group ${sg.name}, server endpoint ${se.name}: no registered server ${se.serverId} in that service`,
        );
      }
      state.serverEndpoints.set(idKey(id), {
        id,
        syncGroupId: sgId,
        name: se.name,
        serverResourceId,
        serverLocalPath: se.serverLocalPath,
        friendlyName: se.name,
        cloudTiering: "off",
        volumeFreeSpacePercent: 20,
        tierFilesOlderThanDays: 0,
        offlineDataTransfer: "off",
      });
    }
  }
}

type ServiceRecordIdentity = NonNullable<ServiceRecord["identity"]>;
type KnownPrincipal = (id: string, name: string, tenantId?: string) => void;

/** Cross-references checked once everything is loaded (resources may be seeded in any order). */
/** A seed Azure could not hold: every File Sync hard limit it passes, named. */
function validateFileSyncLimits(state: EmulatorState): void {
  const problems: string[] = [];
  const count = <T>(items: Iterable<T>, key: (t: T) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
    return m;
  };
  for (const [sub, n] of count(state.services.values(), (s) => s.subscriptionId.toLowerCase()))
    problems.push(...fileSyncShapeProblems({ where: `subscription ${sub}`, servicesPerSubscription: n }));
  for (const [svc, n] of count(state.servers.values(), (s) => idKey(s.serviceId)))
    problems.push(...fileSyncShapeProblems({ where: svc, serversPerService: n }));
  for (const [svc, n] of count(state.syncGroups.values(), (g) => idKey(g.serviceId)))
    problems.push(...fileSyncShapeProblems({ where: svc, syncGroupsPerService: n }));
  for (const [sg, n] of count(state.cloudEndpoints.values(), (c) => idKey(c.syncGroupId)))
    problems.push(...fileSyncShapeProblems({ where: sg, cloudEndpointsPerSyncGroup: n }));
  for (const [sg, n] of count(state.serverEndpoints.values(), (e) => idKey(e.syncGroupId)))
    problems.push(...fileSyncShapeProblems({ where: sg, serverEndpointsPerSyncGroup: n }));
  for (const [server, n] of count(state.serverEndpoints.values(), (e) => idKey(e.serverResourceId)))
    problems.push(...fileSyncShapeProblems({ where: server, serverEndpointsPerServer: n }));
  if (problems.length > 0)
    throw new Error(
      `Invalid seed: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""}`,
    );
}

export function validateSeedLinks(state: EmulatorState): void {
  validateFileSyncLimits(state);
  for (const ce of state.cloudEndpoints.values()) {
    const share = `${ce.storageAccountResourceId}/fileServices/default/fileshares/${ce.azureFileShareName}`;
    if (!state.exists(share))
      throw new Error(`Invalid seed: cloud endpoint ${ce.id} names file share ${share}, which is not seeded`);
  }
  for (const s of state.servers.values()) {
    if (s.machineId && !state.machines.has(idKey(s.machineId)))
      throw new Error(`Invalid seed: registered server ${s.id} links machine ${s.machineId}, which is not seeded`);
  }
}

/**
 * A subscription's pre-existing assignments (Reader at its scope), some orphaned; refuses more than its limit allows.
 */
function fillRoleAssignments(
  state: EmulatorState,
  sub: Seed["subscriptions"][number],
  caller: string,
  longAgo: number,
): void {
  const fill = sub.existingRoleAssignments;
  if (!fill) return;
  const limit = sub.roleAssignmentLimit ?? ROLE_ASSIGNMENTS_PER_SUBSCRIPTION;
  if (fill.orphaned > fill.count)
    throw new Error(
      `Invalid seed: subscription ${sub.subscriptionId}: existingRoleAssignments.orphaned exceeds its count`,
    );
  if (fill.count > limit) {
    throw new Error(
      `Invalid seed: subscription ${sub.subscriptionId}: ${fill.count} existing role assignments exceed Azure's limit of ${limit} per subscription (troubleshoot-limits)`,
    );
  }
  const scope = `/subscriptions/${sub.subscriptionId}`;
  const iso = new Date(longAgo).toISOString();
  for (let i = 0; i < fill.count; i++) {
    const name = randomUUID();
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    state.roleAssignments.set(idKey(id), {
      id,
      name,
      scope,
      roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${READER_ROLE_GUID}`,
      principalId: randomUUID(),
      principalType: i < fill.orphaned ? "Unknown" : "User",
      createdOn: iso,
      updatedOn: iso,
      createdBy: caller,
      updatedBy: caller,
    });
  }
}

/**
 * A seed's agent-version table: the published one (also when the seed names none), no table at all ("none":
 * every agent Ok), or its own with relative dates made absolute at load.
 */
function agentVersionTable(table: Seed["agentVersions"], nowMs: number): readonly AgentVersionEntry[] {
  if (table === "published") return PUBLISHED_AGENT_VERSIONS;
  if (table === "none") return [];
  return table.map(({ expiresInDays, ...entry }) =>
    expiresInDays === undefined
      ? entry
      : { ...entry, expiresOn: new Date(nowMs + expiresInDays * 24 * 3600 * 1000).toISOString().slice(0, 10) },
  );
}
