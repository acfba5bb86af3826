import { FILE_SYNC_LIMITS, ROLE_ASSIGNMENTS_PER_SUBSCRIPTION } from "../emulator/limits";

/**
 * The Azure limits a generated estate must stay within: the emulator's own
 * (dev/emulator/limits.ts, each with its public source), so the generator and
 * the emulator cannot disagree. They are hard limits: Azure refuses the write
 * that would pass them. File Sync's grants land in the storage account's
 * subscription, so the role-assignment limit applies there.
 */
export const ESTATE_LIMITS = {
  ...FILE_SYNC_LIMITS,
  roleAssignmentsPerSubscription: ROLE_ASSIGNMENTS_PER_SUBSCRIPTION,
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
