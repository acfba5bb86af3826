/**
 * The reconcile engine, for one Storage Sync Service: observe (read ARM into
 * a Snapshot) → plan (pure: the actions Set-AzStorageSyncServiceIdentity
 * would take, in dependency order) → apply (the writes, each journaled before
 * it is sent, PrincipalNotFound waited out) → a ReconcileReport. It knows ARM
 * (through src/lib/azure) and nothing of tables, queues or the Functions app:
 * the write journal is a port (WriteJournal) the caller fills in. Everything
 * outside comes in through this file.
 */
export type { EngineSettings } from "./settings";
export { reconcileService, type ReconcileOptions } from "./reconcile-service";
export { observe } from "./observe";
export { plan, NO_ELIGIBLE_SERVER_WARNING, type Plan } from "./plan";
export { apply } from "./apply";
export { ReconcileError, isTransientArmError } from "./errors";
export { classifyServer } from "./eligibility";
export { isAgentTooOld } from "./agent-version";
export { hostNamesMatch } from "./host-name";
export { prerequisiteFindings } from "./prerequisites";
export { mapWithConcurrency } from "./concurrency";
export type { Snapshot } from "./snapshot";
export type { EngineHints, IdentityChange } from "./hints";
export type { WriteIntent, WriteJournal, WriteResult } from "./write-journal";
export type {
  PlannedAction,
  EnableServiceIdentityAction,
  GrantRoleAction,
  SetUseIdentityAction,
  SwitchServerAction,
  RepairServerAction,
  DeleteRoleAssignmentAction,
  GrantPrincipal,
} from "./actions";
export type * from "./report";
