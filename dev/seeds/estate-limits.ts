/**
 * The Azure limits a generated estate must stay within, each with its public
 * source. They are hard limits: Azure refuses the write that would pass them.
 * (When the emulator's own limits module lands, these constants should be
 * imported from it so the generator and the emulator cannot disagree.)
 */
export const ESTATE_LIMITS = {
  /** Storage Sync Services per subscription (learn.microsoft.com/azure/storage/file-sync/file-sync-scale-targets). */
  servicesPerSubscription: 15,
  /** Registered servers per Storage Sync Service (same page). */
  serversPerService: 100,
  /** Sync groups per Storage Sync Service (same page). */
  syncGroupsPerService: 200,
  /** Server endpoints per sync group (same page). */
  serverEndpointsPerSyncGroup: 100,
  /** Server endpoints per registered server (same page). */
  serverEndpointsPerServer: 30,
  /**
   * Role assignments per subscription, counting subscription, resource-group and resource scopes
   * (learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits). File Sync's grants land in
   * the storage account's subscription.
   */
  roleAssignmentsPerSubscription: 4000,
} as const;

export type EstateLimit = keyof typeof ESTATE_LIMITS;

/** A shape Azure would refuse: names the limit, its value and what the shape needs. */
export class EstateLimitError extends RangeError {
  constructor(
    readonly limit: EstateLimit,
    readonly needed: number,
    where: string,
  ) {
    super(`estate: ${where} needs ${needed} but Azure allows at most ${ESTATE_LIMITS[limit]} (${limit})`);
    this.name = "EstateLimitError";
  }
}
