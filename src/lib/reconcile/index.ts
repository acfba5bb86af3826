/** The reconcile engine: observe → plan (pure) → apply, for one Storage Sync Service. */
export type { EngineSettings } from "./settings";
export { reconcileService, type ReconcileOptions } from "./reconcile-service";
export { observe } from "./observe";
export { plan, NO_ELIGIBLE_SERVER_WARNING, type Plan } from "./plan";
export { apply } from "./apply";
export { ReconcileError, isTransientArmError } from "./errors";
export { classifyServer } from "./eligibility";
export type { Snapshot } from "./snapshot";
export type { EngineHints, IdentityChange } from "./hints";
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
export { MachineDirectory } from "./machine-directory";
