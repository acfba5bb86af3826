import { type ArmConnection, toArmErrorInfo, ROLE } from "../azure";
import type { PlannedAction } from "./actions";
import type { RefusedGrant } from "./role-assignment-headroom";
import {
  ActionFailure,
  NotPermitted,
  Stopped,
  type ApplyContext,
  type ApplyResult,
  type Executed,
} from "./apply-context";
import {
  deleteGrant,
  enableServiceIdentity,
  grantWithBackOff,
  setUseIdentity,
  switchOrRepairServer,
} from "./apply-steps";
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
  /**
   * Once aborted, no further action starts (each is skipped, saying so); actions already sending their
   * write finish it and read it back, unlike `signal`, which cancels requests in flight.
   */
  stop?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Told each action's outcome as it is known (for progress displays). */
  onOutcome?: (outcome: ActionOutcome) => void;
  /** Records every ARM write before it is sent and what ARM answered (default: none kept). */
  journal?: WriteJournal;
  /** Grants never sent: their subscription has no room (recorded as failed, their dependants skipped). */
  refused?: ReadonlyMap<string, RefusedGrant>;
}

/**
 * Executes a plan: bounded concurrency, each action after all of its
 * dependencies succeeded (or were already present); an action whose
 * dependency failed is skipped, everything else proceeds. 429/5xx are retried
 * by the SDK's policies; PrincipalNotFound here, with bounded back-off.
 */
export async function apply(arm: ArmConnection, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const slots = createLimiter(options.settings.maxConcurrency);
  const ctx: ApplyContext = {
    arm,
    plan,
    settings: options.settings,
    call: { abortSignal: options.signal },
    signal: options.signal,
    // A write waiting for a slot when the run is stopped never starts; one already sent finishes.
    limit: (task) =>
      slots(() => {
        if (options.stop?.aborted) throw new Stopped();
        return task();
      }),
    journal: options.journal ?? NO_JOURNAL,
    progress: (message) => options.onProgress?.(message),
    servicePrincipalId: plan.service.principalId,
    result: { outcomes: [], switchedServers: new Map() },
  };
  const run = (action: PlannedAction) => {
    const refused = options.refused?.get(action.id);
    return refused ? notSent(ctx, action, refused) : runAction(ctx, action, options.stop);
  };
  ctx.result.outcomes = await runInDependencyOrder(plan.actions, run, {
    signal: options.signal,
    onOutcome: options.onOutcome,
  });
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

/** A grant refused before it was sent (its subscription has no room): failed, with the refusal's error and remedy. */
async function notSent(ctx: ApplyContext, action: PlannedAction, refused: RefusedGrant): Promise<ActionOutcome> {
  ctx.progress(`NOT SENT: ${action.description}: ${refused.error.code}: ${refused.error.message}`);
  return {
    actionId: action.id,
    status: "failed",
    attempts: 0,
    durationMs: 0,
    error: refused.error,
    remedy: refused.remedy,
  };
}

/**
 * One action as its outcome: done or present, reported (a deletion not permitted), or failed with ARM's error and a
 * remedy.
 */
async function runAction(
  ctx: ApplyContext,
  action: PlannedAction,
  stop: AbortSignal | undefined,
): Promise<ActionOutcome> {
  const started = Date.now();
  const tries = { count: 1 };
  try {
    if (stop?.aborted) throw new Stopped();
    const executed = await step(ctx, action, tries);
    ctx.progress(`${executed.status === "alreadyPresent" ? "present" : "done"}: ${action.description}`);
    return {
      actionId: action.id,
      status: executed.status,
      attempts: executed.attempts,
      durationMs: Date.now() - started,
      requestId: executed.requestId,
    };
  } catch (error) {
    // In the order the outcome always had: actionId, status, attempts, durationMs, then the rest.
    const ended = <S extends "skipped" | "failed">(status: S) => ({
      actionId: action.id,
      status,
      attempts: tries.count,
      durationMs: Date.now() - started,
    });
    if (error instanceof Stopped)
      return { actionId: action.id, status: "skipped", attempts: 0, durationMs: 0, skippedBecause: error.message };
    if (error instanceof NotPermitted) {
      ctx.progress(`REPORTED: ${action.description}: ${error.message}`);
      const denied = { code: "AuthorizationFailed", message: error.message, statusCode: 403 };
      return {
        ...ended("skipped"),
        skippedBecause: error.message,
        remedy: remedyFor(denied, { kind: "deleteRoleAssignment" }),
      };
    }
    const info = error instanceof ActionFailure ? { code: error.code, message: error.message } : toArmErrorInfo(error);
    ctx.progress(`FAILED: ${action.description}: ${info.code}: ${info.message}`);
    return {
      ...ended("failed"),
      requestId: info.requestId,
      error: info,
      remedy: remedyFor(info, failureContext(action)),
    };
  }
}

function failureContext(action: PlannedAction): FailureContext {
  switch (action.kind) {
    case "grantRole":
      return action.principal.kind === "service"
        ? {
            kind: "grantService",
            role: action.roleDefinitionGuid === ROLE.storageAccountContributor ? "account" : "share",
          }
        : { kind: "grantServer" };
    default:
      return { kind: action.kind };
  }
}
