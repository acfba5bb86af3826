import {
  type ArmConnection,
  listRoleAssignmentsAt,
  type RoleAssignmentView,
  getStorageSyncService,
  listCloudEndpoints,
  listRegisteredServersOf,
  listServerEndpoints,
  listSyncGroups,
  parseResourceId,
  resourceIdKey,
  ArmOperationError,
  getStorageAccount,
  type StorageAccountView,
  getSubscriptionTenant,
  type RegisteredServerView,
} from "../azure";
import { isRestError } from "@azure/core-rest-pipeline";
import { mapWithConcurrency } from "./concurrency";
import { ReconcileError } from "./errors";
import { requiredGrants } from "./required-grants";
import type { EngineSettings } from "./settings";
import type { EngineHints } from "./hints";
import { classifyAll, isForeignTenant, serviceTenantOf } from "./classify-all";
import { hostNamesMatch } from "./host-name";
import type { Snapshot, SyncGroupSnapshot } from "./snapshot";
import { findIdentityDrift, isBoundServer, mergeIdentityChanges, type IdentityDrift } from "./identity-drift";
import { MachineDirectory } from "./machine-directory";

/** How a run finds identity drift from observed state, besides the run's machine lists. */
export interface DriftCheck {
  /** The machine the app recorded with this principal (from a machine's write event), if any. */
  recordedMachineOf?: (principalId: string) => Promise<string | undefined>;
}

export interface ObserveOptions {
  settings: EngineSettings;
  hints?: EngineHints;
  /** The run's machine lists (default: one for this service). */
  machines?: MachineDirectory;
  /** Non-dry full runs: switched servers are compared with their machines' current identities. */
  drift?: DriftCheck;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

async function readOrThrow<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new ReconcileError(`Cannot read ${what}`, error);
  }
}

/** A bad id is a terminal request error (400), reported like ARM's own. */
function parseServiceId(serviceId: string) {
  const expected =
    "expected /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.StorageSync/storageSyncServices/{name}";
  let message: string | undefined;
  try {
    const id = parseResourceId(serviceId);
    if (id.resourceType?.toLowerCase() === "microsoft.storagesync/storagesyncservices") return id;
    message = `"${serviceId}" is not a Storage Sync Service id (${expected})`;
  } catch (error) {
    message = `${error instanceof Error ? error.message : String(error)} (${expected})`;
  }
  throw new ReconcileError(
    "Invalid request",
    new ArmOperationError({ code: "InvalidStorageSyncServiceId", message, statusCode: 400 }),
  );
}

/**
 * Reads the snapshot: the service, its servers, sync groups, cloud and server
 * endpoints, then per storage account at most ONE unfiltered assignment list
 * (it covers the account, its shares and inherited assignments of every
 * principal at once: a 100-server service on two accounts costs two lists,
 * where a list per principal and account cost 100 and the cmdlet's list
 * before every grant 200) and ONE GET for the prerequisite checks.
 */
export async function observe(arm: ArmConnection, serviceId: string, options: ObserveOptions): Promise<Snapshot> {
  const id = parseServiceId(serviceId);
  const { settings, signal } = options;
  const call = { abortSignal: signal };
  const [service, servers, groups] = await Promise.all([
    readOrThrow(`Storage Sync Service ${id.id}`, () => getStorageSyncService(arm, id.id, call)),
    readOrThrow(`registered servers of ${id.id}`, () => listRegisteredServersOf(arm, id.id, call)),
    readOrThrow(`sync groups of ${id.id}`, () => listSyncGroups(arm, id.id, call)),
  ]);
  options.onProgress?.(`${service.name}: ${servers.length} registered server(s), ${groups.length} sync group(s)`);

  const endpointReads = groups.flatMap((g) => [
    { group: g, kind: "cloud" as const },
    { group: g, kind: "server" as const },
  ]);
  const endpointLists = await mapWithConcurrency(endpointReads, settings.maxConcurrency, (read) =>
    read.kind === "cloud"
      ? readOrThrow(`cloud endpoints of ${read.group.resourceId}`, () =>
          listCloudEndpoints(arm, read.group.resourceId, call),
        )
      : readOrThrow(`server endpoints of ${read.group.resourceId}`, () =>
          listServerEndpoints(arm, read.group.resourceId, call),
        ),
  );
  const syncGroups: SyncGroupSnapshot[] = groups.map((g, i) => ({
    ...g,
    cloudEndpoints: endpointLists[2 * i] as SyncGroupSnapshot["cloudEndpoints"],
    serverEndpoints: endpointLists[2 * i + 1] as SyncGroupSnapshot["serverEndpoints"],
  }));

  // Before the service has an identity its tenant is its subscription's: one read, only then, and only
  // when a cloud endpoint names a tenant to compare with (a converged service never pays for it).
  const subscriptionTenantId =
    !service.identity.tenantId && syncGroups.some((g) => g.cloudEndpoints.some((c) => c.storageAccountTenantId))
      ? await getSubscriptionTenant(arm, id.subscriptionId, call).catch((error: unknown) => {
          // Without the subscription's read right the tenant stays unknown: grants into another tenant then fail with
          // their remedy.
          if (isUnreadable(error)) return undefined;
          throw new ReconcileError(`Cannot read the subscription of ${id.id}`, error);
        })
      : undefined;
  const machines = options.machines ?? new MachineDirectory(arm, settings.machineScopes);
  const drift = options.drift
    ? await observeDrift(machines, options.drift, id.subscriptionId, servers, call)
    : undefined;
  const hints =
    drift && drift.changes.length > 0
      ? { ...options.hints, identityChanges: mergeIdentityChanges(options.hints?.identityChanges ?? [], drift.changes) }
      : options.hints;
  if (drift)
    options.onProgress?.(
      `${service.name}: ${drift.changes.length} switched server(s) bound to a principal their machine no longer has`,
    );
  const partial: Snapshot = {
    service,
    servers,
    syncGroups,
    assignments: [],
    ...(hints ? { hints } : {}),
    ...(drift && drift.warnings.length > 0 ? { driftWarnings: drift.warnings } : {}),
    ...(subscriptionTenantId ? { subscriptionTenantId } : {}),
  };
  const classifications = classifyAll(partial, settings.minAgentVersion);
  // One map of this run's storage accounts: those that need grants (their assignments of this
  // service's principals) and those behind a cloud endpoint of this tenant (the prerequisites, and
  // with pruning every assignment at or below them). Each is listed once and read once, whatever it is for.
  const grantAccounts = new Map<string, string>();
  const principals = new Set<string>();
  for (const grant of requiredGrants(partial, classifications)) {
    const principalId = grant.principal.kind === "service" ? service.identity.principalId : grant.principal.principalId;
    if (!principalId) continue; // a service identity this run creates has no assignments yet
    grantAccounts.set(resourceIdKey(grant.storageAccountId), grant.storageAccountId);
    principals.add(principalId.toLowerCase());
  }
  // A repaired server's replaced identity: its grants on the same accounts are removed or reported after the repair.
  for (const c of classifications.values()) if (c.repairFrom) principals.add(c.repairFrom.toLowerCase());
  const serviceTenant = serviceTenantOf(partial);
  const prerequisiteAccounts = new Map<string, string>();
  for (const group of syncGroups) {
    for (const cloud of group.cloudEndpoints) {
      if (cloud.storageAccountResourceId && !isForeignTenant(cloud.storageAccountTenantId, serviceTenant))
        prerequisiteAccounts.set(resourceIdKey(cloud.storageAccountResourceId), cloud.storageAccountResourceId);
    }
  }
  const listed = new Map(grantAccounts);
  if (settings.pruneStaleGrants) for (const [key, account] of prerequisiteAccounts) listed.set(key, account);
  const lists = await mapWithConcurrency([...listed], settings.maxConcurrency, async ([key, account]) => {
    try {
      return { key, all: await listRoleAssignmentsAt(arm, account, call) };
    } catch (error) {
      // A missing account, or one whose assignments the automation may not read (another
      // subscription without Reader), is that account's grants' failure to report, each with its
      // remedy, not the whole run's: the other sync groups still converge. Creating without
      // knowing what exists is safe (deterministic names, 409 RoleAssignmentExists is success).
      if (isUnreadable(error)) return { key, all: [] as RoleAssignmentView[] };
      throw new ReconcileError(`Cannot read role assignments on ${account}`, error);
    }
  });
  // Only the principals this service involves: other services' grants on a shared account are not this snapshot's.
  const assignments = lists.flatMap(({ key, all }) =>
    grantAccounts.has(key) ? all.filter((a) => principals.has(a.principalId.toLowerCase())) : [],
  );
  options.onProgress?.(`${service.name}: read role assignments on ${listed.size} storage account(s)`);

  const storageAccounts = (
    await mapWithConcurrency([...prerequisiteAccounts.values()], settings.maxConcurrency, async (account) => {
      try {
        return await getStorageAccount(arm, account, call);
      } catch (error) {
        // Unreadable or gone: its grants report that; the prerequisites cannot be checked.
        if (isUnreadable(error)) return undefined;
        throw new ReconcileError(`Cannot read storage account ${account}`, error);
      }
    })
  ).filter((a): a is StorageAccountView => a !== undefined);
  // What pruning weighs: every principal's assignments at or below the accounts (not those inherited from above).
  const accountAssignments = settings.pruneStaleGrants
    ? lists.flatMap(({ key, all }) => (prerequisiteAccounts.has(key) ? all.filter((a) => !a.inheritedBy) : []))
    : undefined;
  const arcStatuses = await overdueArcStatuses(machines, partial, classifications, call);
  return {
    ...partial,
    assignments,
    storageAccounts,
    ...(accountAssignments ? { accountAssignments } : {}),
    ...(arcStatuses ? { arcStatuses } : {}),
  };
}

/**
 * Identity drift found from state, not from events: only when the service has
 * switched servers, its machines are listed (once per scope for the run) and
 * each switched server whose principal no machine has is tied to its machine.
 */
async function observeDrift(
  directory: MachineDirectory,
  check: DriftCheck,
  subscriptionId: string,
  servers: RegisteredServerView[],
  call: { abortSignal?: AbortSignal },
): Promise<IdentityDrift> {
  const bound = servers.filter(isBoundServer);
  if (bound.length === 0) return { changes: [], warnings: [] };
  const listed = await directory.machinesFor(subscriptionId, call);
  const recorded = new Map<string, string>();
  if (check.recordedMachineOf) {
    const unmatched = bound.filter(
      (s) => !listed.machines.some((m) => m.principalId && m.principalId === s.applicationId?.toLowerCase()),
    );
    for (const server of unmatched) {
      const principal = (server.applicationId as string).toLowerCase();
      const machineId = await check.recordedMachineOf(principal);
      if (machineId) recorded.set(principal, machineId);
    }
  }
  const found = findIdentityDrift(servers, listed.machines, recorded);
  const unchecked = listed.unreadable.map(
    (u) =>
      `Identity drift of switched servers is not checked in ${u.scope}: its Arc machines and VMs cannot be listed (${u.reason}). Remedy: give the automation Reader on ${u.scope}.`,
  );
  return { changes: found.changes, warnings: [...unchecked, ...found.warnings] };
}

/**
 * A switch that did not take is most often a disconnected or expired Arc
 * agent: only in runs that re-send one, the run's machine lists (shared with
 * the drift check) are matched to the overdue servers by host name (a
 * registered server holds no link to its machine). Unreadable: no cause named.
 */
async function overdueArcStatuses(
  directory: MachineDirectory,
  snapshot: Snapshot,
  classifications: Map<string, { resend?: boolean }>,
  call: { abortSignal?: AbortSignal },
): Promise<Snapshot["arcStatuses"]> {
  const overdue = snapshot.servers.filter((s) => classifications.get(s.serverId)?.resend);
  if (overdue.length === 0) return undefined;
  const arc = (
    await directory.machinesFor(parseResourceId(snapshot.service.resourceId).subscriptionId, call)
  ).machines.filter((m) => /\/providers\/microsoft\.hybridcompute\/machines\//i.test(m.resourceId));
  const statuses: NonNullable<Snapshot["arcStatuses"]> = {};
  for (const server of overdue) {
    const matches = arc.filter((m) =>
      m.hostNames.some((name) => hostNamesMatch(name, [server.friendlyName, server.serverName])),
    );
    if (matches.length === 1 && matches[0])
      statuses[server.serverId] = { machineId: matches[0].resourceId, status: matches[0].status };
  }
  return statuses;
}

/** 404 (gone), 403 (no read right), 401 (another tenant's subscription): that account's problem, not the run's. */
function isUnreadable(error: unknown): boolean {
  return isRestError(error) && (error.statusCode === 404 || error.statusCode === 403 || error.statusCode === 401);
}
