import { isRestError } from "@azure/core-rest-pipeline";
import { type ArmConnection, ROLE_ASSIGNMENT_LIMIT, readRoleAssignmentQuota, type RoleAssignmentQuota } from "../azure";
import { ReconcileError } from "./errors";

/**
 * Each target subscription's role-assignment count, read at most once per run
 * (one list at the subscription) and only when the run plans grants there.
 */
export class QuotaReader {
  private readonly read = new Map<string, Promise<RoleAssignmentQuota | { unreadable: string }>>();

  constructor(
    private readonly arm: ArmConnection,
    private readonly limit: number = ROLE_ASSIGNMENT_LIMIT,
  ) {}

  async quotasOf(
    subscriptionIds: string[],
    call: { abortSignal?: AbortSignal },
  ): Promise<{ quotas: Map<string, RoleAssignmentQuota>; unreadable: string[] }> {
    const quotas = new Map<string, RoleAssignmentQuota>();
    const unreadable: string[] = [];
    for (const sub of new Set(subscriptionIds.map((s) => s.toLowerCase()))) {
      const q = await this.quotaOf(sub, call);
      if ("unreadable" in q) unreadable.push(`${sub}: ${q.unreadable}`);
      else quotas.set(sub, q);
    }
    return { quotas, unreadable };
  }

  private quotaOf(
    sub: string,
    call: { abortSignal?: AbortSignal },
  ): Promise<RoleAssignmentQuota | { unreadable: string }> {
    let q = this.read.get(sub);
    if (!q) {
      q = readRoleAssignmentQuota(this.arm, sub, this.limit, call).catch((error: unknown) => {
        // Without Reader there the count is unknown: grants are sent, and a full subscription refuses them itself.
        if (isRestError(error) && (error.statusCode === 403 || error.statusCode === 404 || error.statusCode === 401)) {
          return { unreadable: `${error.code ?? error.statusCode}` };
        }
        this.read.delete(sub);
        throw new ReconcileError(`Cannot count the role assignments of subscription ${sub}`, error);
      });
      this.read.set(sub, q);
    }
    return q;
  }
}
