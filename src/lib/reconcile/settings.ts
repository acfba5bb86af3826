/** What the engine needs from the configuration (src/lib/config.ts fills it). */
export interface EngineSettings {
  /** Servers whose agent is older are not switched (verdict AgentTooOld). */
  minAgentVersion: string;
  /** Upper bound of concurrent ARM calls of one run. */
  maxConcurrency: number;
  /** Retries of a grant that ARM answers 400 PrincipalNotFound (identity still replicating). */
  principalNotFoundRetries: number;
  /** First back-off delay for PrincipalNotFound; doubles per retry. */
  principalNotFoundBaseDelayMs: number;
  /** PRUNE_STALE_GRANTS: delete the File Sync role assignments this product created that nothing needs any more. */
  pruneStaleGrants?: boolean;
  /** MANAGED_SCOPES: where the machines of switched servers are looked for (default: the service's subscription). */
  machineScopes?: string[];
  /** ROLE_ASSIGNMENT_LIMIT: role assignments a subscription may hold (Azure: 4,000; lower only to test). */
  roleAssignmentLimit?: number;
}
