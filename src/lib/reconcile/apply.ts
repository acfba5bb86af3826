import { type ArmConnection, toArmErrorInfo, ROLE } from "../azure";
import type { PlannedAction } from "./actions";
import { ActionFailure, NotPermitted, type ApplyContext, type ApplyResult, type Executed } from "./apply-context";
import { deleteGrant, enableServiceIdentity, grantWithBackOff, setUseIdentity, switchOrRepairServer } from "./apply-steps";
import { createLimiter } from "./concurrency";
import { runInDependencyOrder } from "./dependency-runner";
import type { Plan } from "./plan";
import { remedyFor, type FailureContext } from "./remedies";
import type { ActionOutcome } from "./report";
import type { EngineSettings } from "./settings";
import { NO_JOURNAL, type WriteJournal } from "./write-journal";

export type { ApplyResult } from "./apply-context";

export interface ApplyOptions {
  settings: EngineSettings;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Records every ARM write before it is sent and what ARM answered (default: none kept). */
  journal?: WriteJournal;
}

/**
 * Executes a plan: bounded concurrency, each action after all of its
 * dependencies succeeded (or were already present); an action whose
 * dependency failed is skipped, everything else proceeds. 429/5xx are retried
 * by the SDK's policies; PrincipalNotFound here, with bounded back-off.
 */
export async function apply(arm: ArmConnection, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const ctx: ApplyContext = {
    arm,
    plan,
    settings: options.settings,
    call: { abortSignal: options.signal },
    signal: options.signal,
    limit: createLimiter(options.settings.maxConcurrency),
    journal: options.journal ?? NO_JOURNAL,
    progress: (message) => options.onProgress?.(message),
    servicePrincipalId: plan.service.principalId,
    result: { outcomes: [], switchedServers: new Map() },
  };
  ctx.result.outcomes = await runInDependencyOrder(plan.actions, (action) => runAction(ctx, action), { signal: options.signal });
  return ctx.result;
}

/** The step that carries out an action; all but a grant's back-off run inside one concurrency slot. */
function step(ctx: ApplyContext, action: PlannedAction, tries: { count: number }): Promise<Executed> {
  switch (action.kind) {
    case "enableServiceIdentity":
      return ctx.limit(() => enableServiceIdentity(ctx, action));
    case "grantRole":
      return grantWithBackOff(ctx, action, tries);
    case "setUseIdentity":
      return ctx.limit(() => setUseIdentity(ctx, action));
    case "switchServer":
    case "repairServer":
      return ctx.limit(() => switchOrRepairServer(ctx, action));
    case "deleteRoleAssignment":
      return ctx.limit(() => deleteGrant(ctx, action));
  }
}

/** One action as its outcome: done or present, reported (a deletion not permitted), or failed with ARM's error and a remedy. */
async function runAction(ctx: ApplyContext, action: PlannedAction): Promise<ActionOutcome> {
  const started = Date.now();
  const tries = { count: 1 };
  try {
    const executed = await step(ctx, action, tries);
    ctx.progress(`${executed.status === "alreadyPresent" ? "present" : "done"}: ${action.description}`);
    return { actionId: action.id, status: executed.status, attempts: executed.attempts, durationMs: Date.now() - started, requestId: executed.requestId };
  } catch (error) {
    // In the order the outcome always had: actionId, status, attempts, durationMs, then the rest.
    const ended = <S extends "skipped" | "failed">(status: S) => ({ actionId: action.id, status, attempts: tries.count, durationMs: Date.now() - started });
    if (error instanceof NotPermitted) {
      ctx.progress(`REPORTED: ${action.description}: ${error.message}`);
      const denied = { code: "AuthorizationFailed", message: error.message, statusCode: 403 };
      return { ...ended("skipped"), skippedBecause: error.message, remedy: remedyFor(denied, { kind: "deleteRoleAssignment" }) };
    }
    const info = error instanceof ActionFailure ? { code: error.code, message: error.message } : toArmErrorInfo(error);
    ctx.progress(`FAILED: ${action.description}: ${info.code}: ${info.message}`);
    return { ...ended("failed"), requestId: info.requestId, error: info, remedy: remedyFor(info, failureContext(action)) };
  }
}

function failureContext(action: PlannedAction): FailureContext {
  switch (action.kind) {
    case "grantRole":
      return action.principal.kind === "service"
        ? { kind: "grantService", role: action.roleDefinitionGuid === ROLE.storageAccountContributor ? "account" : "share" }
        : { kind: "grantServer" };
    default:
      return { kind: action.kind };
  }
}
