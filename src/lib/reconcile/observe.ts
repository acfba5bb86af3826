import type { ArmConnection } from "../azure/arm-connection";
import { listRoleAssignmentsAt, type RoleAssignmentView } from "../azure/role-assignments";
import { isRestError } from "@azure/core-rest-pipeline";
import {
  getStorageSyncService,
  listCloudEndpoints,
  listRegisteredServersOf,
  listServerEndpoints,
  listSyncGroups,
} from "../azure/storage-sync";
import { parseResourceId } from "../azure/resource-id";
import { ArmOperationError } from "../azure/arm-error";
import { mapWithConcurrency } from "./concurrency";
import { classifyServer } from "./eligibility";
import { ReconcileError } from "./errors";
import { requiredGrants } from "./required-grants";
import type { EngineSettings } from "./settings";
import type { Snapshot, SyncGroupSnapshot } from "./snapshot";

export interface ObserveOptions {
  settings: EngineSettings;
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
  const expected = "expected /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.StorageSync/storageSyncServices/{name}";
  let message: string | undefined;
  try {
    const id = parseResourceId(serviceId);
    if (id.resourceType?.toLowerCase() === "microsoft.storagesync/storagesyncservices") return id;
    message = `"${serviceId}" is not a Storage Sync Service id (${expected})`;
  } catch (error) {
    message = `${error instanceof Error ? error.message : String(error)} (${expected})`;
  }
  throw new ReconcileError("Invalid request", new ArmOperationError({ code: "InvalidStorageSyncServiceId", message, statusCode: 400 }));
}

/**
 * Reads the snapshot: the service, its servers, sync groups, cloud and server
 * endpoints, then ONE unfiltered assignment list per storage account that
 * needs grants, which covers the account, its shares and inherited
 * assignments of every principal at once: a 100-server service on two
 * accounts costs two lists, where a list per principal and account cost 100
 * and the cmdlet's list before every grant 200.
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
      ? readOrThrow(`cloud endpoints of ${read.group.resourceId}`, () => listCloudEndpoints(arm, read.group.resourceId, call))
      : readOrThrow(`server endpoints of ${read.group.resourceId}`, () => listServerEndpoints(arm, read.group.resourceId, call)),
  );
  const syncGroups: SyncGroupSnapshot[] = groups.map((g, i) => ({
    ...g,
    cloudEndpoints: endpointLists[2 * i] as SyncGroupSnapshot["cloudEndpoints"],
    serverEndpoints: endpointLists[2 * i + 1] as SyncGroupSnapshot["serverEndpoints"],
  }));

  const partial: Snapshot = { service, servers, syncGroups, assignments: [] };
  const classifications = new Map(servers.map((s) => [s.serverId, classifyServer(s, settings.minAgentVersion)]));
  const accounts = new Map<string, string>();
  const principals = new Set<string>();
  for (const grant of requiredGrants(partial, classifications)) {
    const principalId = grant.principal.kind === "service" ? service.identity.principalId : grant.principal.principalId;
    if (!principalId) continue; // a service identity this run creates has no assignments yet
    accounts.set(grant.storageAccountId.toLowerCase(), grant.storageAccountId);
    principals.add(principalId.toLowerCase());
  }
  const lists = await mapWithConcurrency([...accounts.values()], settings.maxConcurrency, async (account) => {
    try {
      const all = await listRoleAssignmentsAt(arm, account, call);
      // Only the principals this service involves: other services' grants on a shared account are not this snapshot's.
      return all.filter((a) => principals.has(a.principalId.toLowerCase()));
    } catch (error) {
      // A missing account, or one whose assignments the automation may not read (another
      // subscription without Reader), is that account's grants' failure to report, each with its
      // remedy, not the whole run's: the other sync groups still converge. Creating without
      // knowing what exists is safe (deterministic names, 409 RoleAssignmentExists is success).
      if (isRestError(error) && (error.statusCode === 404 || error.statusCode === 403)) return [] as RoleAssignmentView[];
      throw new ReconcileError(`Cannot read role assignments on ${account}`, error);
    }
  });
  options.onProgress?.(`${service.name}: read role assignments on ${accounts.size} storage account(s)`);
  return { ...partial, assignments: lists.flat() };
}
