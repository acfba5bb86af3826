/**
 * Azure's hard limits the emulator enforces, in one place for the handlers,
 * the seed loader and the estate generator.
 *
 * File Sync: https://learn.microsoft.com/azure/storage/file-sync/file-sync-scale-targets
 * (hard limits). Role assignments:
 * https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits
 */
export const FILE_SYNC_LIMITS = {
  storageSyncServicesPerSubscription: 15,
  registeredServersPerService: 100,
  syncGroupsPerService: 200,
  cloudEndpointsPerSyncGroup: 1,
  serverEndpointsPerSyncGroup: 100,
  serverEndpointsPerServer: 30,
} as const;

export type FileSyncLimit = keyof typeof FILE_SYNC_LIMITS;

/** Role assignments per subscription (subscription, resource-group and resource scopes; not management groups). */
export const ROLE_ASSIGNMENTS_PER_SUBSCRIPTION = 4000;

/** What each limit counts, for messages that name the limit. */
export const LIMIT_DESCRIPTIONS: Record<FileSyncLimit, string> = {
  storageSyncServicesPerSubscription: "Storage Sync Services per subscription",
  registeredServersPerService: "registered servers per Storage Sync Service",
  syncGroupsPerService: "sync groups per Storage Sync Service",
  cloudEndpointsPerSyncGroup: "cloud endpoints per sync group",
  serverEndpointsPerSyncGroup: "server endpoints per sync group",
  serverEndpointsPerServer: "server endpoints per registered server",
};

/** The message for a shape past a limit: names the limit, its value and the count that exceeds it. */
export function limitExceededMessage(limit: FileSyncLimit, where: string, count: number): string {
  return `${where}: ${count} ${LIMIT_DESCRIPTIONS[limit]} exceeds Azure File Sync's hard limit of ${FILE_SYNC_LIMITS[limit]} (file-sync-scale-targets)`;
}

/**
 * A create that would pass a limit: 400 BadRequest naming it. Azure's exact
 * code and wording are not documented; the emulator uses the code it answers
 * for a second cloud endpoint (BadRequest) and names the limit.
 */
export function limitReachedMessage(limit: FileSyncLimit, where: string): string {
  return `${where} already has the maximum of ${FILE_SYNC_LIMITS[limit]} ${LIMIT_DESCRIPTIONS[limit]} (Azure File Sync scale targets: https://learn.microsoft.com/azure/storage/file-sync/file-sync-scale-targets).`;
}

/**
 * Every File Sync limit a shape exceeds (counts per service etc. are the caller's), as messages; empty when it fits.
 */
export function fileSyncShapeProblems(shape: {
  where: string;
  servicesPerSubscription?: number;
  serversPerService?: number;
  syncGroupsPerService?: number;
  cloudEndpointsPerSyncGroup?: number;
  serverEndpointsPerSyncGroup?: number;
  serverEndpointsPerServer?: number;
}): string[] {
  const checks: Array<[FileSyncLimit, number | undefined]> = [
    ["storageSyncServicesPerSubscription", shape.servicesPerSubscription],
    ["registeredServersPerService", shape.serversPerService],
    ["syncGroupsPerService", shape.syncGroupsPerService],
    ["cloudEndpointsPerSyncGroup", shape.cloudEndpointsPerSyncGroup],
    ["serverEndpointsPerSyncGroup", shape.serverEndpointsPerSyncGroup],
    ["serverEndpointsPerServer", shape.serverEndpointsPerServer],
  ];
  return checks
    .filter(([limit, count]) => count !== undefined && count > FILE_SYNC_LIMITS[limit])
    .map(([limit, count]) => limitExceededMessage(limit, shape.where, count as number));
}
