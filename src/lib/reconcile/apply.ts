import { randomUUID } from "node:crypto";
import type { ArmConnection } from "../azure/arm-connection";
import { isReplicationDelay, toArmErrorInfo } from "../azure/arm-error";
import { ROLE, createRoleAssignment, deleteRoleAssignmentById, roleAssignmentName } from "../azure/role-assignments";
import { NO_JOURNAL, type WriteIntent, type WriteJournal } from "./write-journal";
import { getRegisteredServerById, getStorageSyncService, patchRegisteredServerIdentity, patchStorageSyncService } from "../azure/storage-sync";
import type { RegisteredServerView, StorageSyncServiceView } from "../azure/views";
import type { GrantRoleAction, PlannedAction } from "./actions";
import { createLimiter } from "./concurrency";
import { runInDependencyOrder } from "./dependency-runner";
import type { Plan } from "./plan";
import { remedyFor, type FailureContext } from "./remedies";
import type { ActionOutcome, ActionStatus } from "./report";
import type { EngineSettings } from "./settings";

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
}

export interface ApplyResult {
  outcomes: ActionOutcome[];
  /** The service as read back after its last write, if any. */
  service?: StorageSyncServiceView;
  /** Servers as read back after their switch. */
  switchedServers: Map<string, RegisteredServerView>;
}

/** What an action produced, besides its outcome. */
interface Executed {
  status: Extract<ActionStatus, "succeeded" | "alreadyPresent">;
  attempts: number;
  requestId?: string;
}

/** No single back-off step waits longer than this, however many retries are configured. */
const MAX_PRINCIPAL_NOT_FOUND_DELAY_MS = 60_000;

/** A deletion the automation may not make (403): the stale grant is reported instead. */
class NotPermitted extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotPermitted";
  }
}

/** Thrown where an action would start its write after the run was asked to stop. */
class Stopped extends Error {
  constructor() {
    super("the run was stopped before this action started");
    this.name = "Stopped";
  }
}

class ActionFailure extends Error {
  constructor(
    message: string,
    public readonly code: string,
  ) {
    super(message);
    this.name = "ActionFailure";
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
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

/**
 * Executes a plan: bounded concurrency, each action after all of its
 * dependencies succeeded (or were already present); an action whose
 * dependency failed is skipped, everything else proceeds. 429/5xx are retried
 * by the SDK's policies; PrincipalNotFound here, with bounded back-off.
 */
export async function apply(arm: ArmConnection, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const { settings, signal } = options;
  const slots = createLimiter(settings.maxConcurrency);
  // A write waiting for a slot when the run is stopped never starts; one already sent finishes.
  const limit = <T>(task: () => Promise<T>): Promise<T> =>
    slots(() => {
      if (options.stop?.aborted) throw new Stopped();
      return task();
    });
  const call = { abortSignal: signal };
  const result: ApplyResult = { outcomes: [], switchedServers: new Map() };
  let servicePrincipalId = plan.service.principalId;
  const journal = options.journal ?? NO_JOURNAL;

  /**
   * One ARM write under a new client request id, journaled: the intent is durable before the
   * request leaves. A refusal (4xx) changed nothing and is recorded as failed; a lost connection
   * or 5xx may have applied it, so its intent stays open for the next run to resolve by reading ARM.
   */
  async function journaled<T extends { requestId?: string }>(
    intent: Omit<WriteIntent, "clientRequestId">,
    send: (clientRequestId: string) => Promise<T>,
    unchanged: (result: T) => boolean = () => false,
  ): Promise<T> {
    const clientRequestId = randomUUID();
    await journal.intend({ ...intent, clientRequestId });
    let result: T;
    try {
      result = await send(clientRequestId);
    } catch (error) {
      const info = toArmErrorInfo(error);
      if (info.statusCode !== undefined && info.statusCode < 500) {
        await journal.complete(clientRequestId, { status: "failed", armRequestId: info.requestId, errorCode: info.code, error: info.message.slice(0, 2000) });
      }
      throw error;
    }
    await journal.complete(clientRequestId, { status: unchanged(result) ? "alreadyPresent" : "applied", armRequestId: result.requestId });
    return result;
  }

  async function grant(action: GrantRoleAction, tries: { count: number }): Promise<Executed> {
    const principalId = action.principal.kind === "service" ? (action.principal.principalId ?? servicePrincipalId) : action.principal.principalId;
    if (!principalId) throw new ActionFailure("The service identity has no principal id to grant", "NoPrincipalId");
    for (let attempt = 1; ; attempt++) {
      tries.count = attempt;
      try {
        // Each attempt takes a slot; the back-off sleep below does not hold one.
        const grant = { scope: action.scope, principalId, roleDefinitionGuid: action.roleDefinitionGuid };
        const target = `${action.scope}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(action.scope, principalId, action.roleDefinitionGuid)}`;
        const created = await limit(() =>
          journaled(
            { actionId: action.id, kind: "grantRole", method: "PUT", target, ...grant },
            (clientRequestId) => createRoleAssignment(arm, grant, { ...call, clientRequestId }),
            (r) => r.status === "alreadyPresent",
          ),
        );
        return { status: created.status === "created" ? "succeeded" : "alreadyPresent", attempts: attempt, requestId: created.requestId };
      } catch (error) {
        const info = toArmErrorInfo(error);
        if (!isReplicationDelay(info) || attempt > settings.principalNotFoundRetries) throw error;
        const delay = Math.min(settings.principalNotFoundBaseDelayMs * 2 ** (attempt - 1), MAX_PRINCIPAL_NOT_FOUND_DELAY_MS);
        options.onProgress?.(`${action.description}: principal not replicated yet, retry ${attempt}/${settings.principalNotFoundRetries} in ${delay} ms`);
        await sleep(delay, signal);
      }
    }
  }

  async function execute(action: PlannedAction, tries: { count: number }): Promise<Executed> {
    return action.kind === "grantRole" ? grant(action, tries) : limit(() => write(action));
  }

  async function write(action: Exclude<PlannedAction, GrantRoleAction>): Promise<Executed> {
    switch (action.kind) {
      case "enableServiceIdentity": {
        const write = await journaled({ actionId: action.id, kind: action.kind, method: "PATCH", target: action.serviceId }, (clientRequestId) =>
          patchStorageSyncService(
            arm,
            action.serviceId,
            { identity: { identityType: action.toType, userAssignedIdentityIds: action.userAssignedIdentityIds }, useIdentity: action.useIdentity },
            { ...call, clientRequestId },
          ),
        );
        const service = await getStorageSyncService(arm, action.serviceId, call);
        result.service = service;
        if (!service.identity.principalId) {
          throw new ActionFailure(
            `Enabling the system-assigned identity of ${service.name} returned no principalId (identity type ${service.identity.type})`,
            "NoPrincipalId",
          );
        }
        servicePrincipalId = service.identity.principalId;
        return { status: "succeeded", attempts: 1, requestId: write.requestId };
      }
      case "setUseIdentity": {
        const write = await journaled({ actionId: action.id, kind: action.kind, method: "PATCH", target: action.serviceId }, (clientRequestId) =>
          patchStorageSyncService(arm, action.serviceId, { useIdentity: true }, { ...call, clientRequestId }),
        );
        result.service = await getStorageSyncService(arm, action.serviceId, call);
        if (!result.service.useIdentity) {
          throw new ActionFailure(`ARM accepted useIdentity: true for ${result.service.name}, but it reads back false`, "UseIdentityNotConfirmed");
        }
        return { status: "succeeded", attempts: 1, requestId: write.requestId };
      }
      case "switchServer":
      case "repairServer": {
        // Both name the principal this run granted (as Set-AzStorageSyncServer -Identity does). A bare
        // identity:true adopts whatever the agent reports at that moment: an identity reset between
        // this run's read and its switch would move the server onto a principal nobody granted.
        const write = await journaled(
          { actionId: action.id, kind: action.kind, method: "PATCH", target: action.serverResourceId, principalId: action.principalId },
          (clientRequestId) => patchRegisteredServerIdentity(arm, action.serverResourceId, { ...call, clientRequestId, applicationId: action.principalId }),
        );
        const readBack = await getRegisteredServerById(arm, action.serverResourceId, plan.serviceId, call);
        if (readBack.identity !== true) {
          throw new ActionFailure(
            `ARM accepted the switch of ${action.serverName}, but it reads back identity: ${String(readBack.identity ?? false)}`,
            "ServerIdentityNotConfirmed",
          );
        }
        if (readBack.applicationId !== action.principalId.toLowerCase()) {
          throw new ActionFailure(
            `${action.serverName} reads back applicationId ${readBack.applicationId ?? "(none)"} instead of the requested ${action.principalId}`,
            "ServerApplicationIdMismatch",
          );
        }
        result.switchedServers.set(action.serverId, readBack);
        return { status: "succeeded", attempts: 1, requestId: write.requestId };
      }
      case "deleteRoleAssignment": {
        try {
          const deleted = await journaled(
            {
              actionId: action.id,
              kind: "deleteRoleAssignment",
              method: "DELETE",
              target: action.assignmentId,
              principalId: action.principalId,
              roleDefinitionGuid: action.roleDefinitionGuid,
              scope: action.scope,
            },
            (clientRequestId) => deleteRoleAssignmentById(arm, action.assignmentId, { ...call, clientRequestId }),
            (r) => r.alreadyGone,
          );
          return { status: "succeeded", attempts: 1, requestId: deleted.requestId };
        } catch (error) {
          const info = toArmErrorInfo(error);
          if (info.statusCode === 403) {
            throw new NotPermitted(
              `reported, not removed: the automation may not delete role assignments (${info.code}; Azure File Sync Administrator has no Microsoft.Authorization/roleAssignments/delete)`,
            );
          }
          throw error;
        }
      }
    }
  }

  async function run(action: PlannedAction): Promise<ActionOutcome> {
    const started = Date.now();
    const tries = { count: 1 };
    try {
      if (options.stop?.aborted) throw new Stopped();
      const executed = await execute(action, tries);
      options.onProgress?.(`${executed.status === "alreadyPresent" ? "present" : "done"}: ${action.description}`);
      return { actionId: action.id, status: executed.status, attempts: executed.attempts, durationMs: Date.now() - started, requestId: executed.requestId };
    } catch (error) {
      if (error instanceof Stopped) return { actionId: action.id, status: "skipped", attempts: 0, durationMs: 0, skippedBecause: error.message };
      if (error instanceof NotPermitted) {
        options.onProgress?.(`REPORTED: ${action.description}: ${error.message}`);
        return {
          actionId: action.id,
          status: "skipped",
          attempts: tries.count,
          durationMs: Date.now() - started,
          skippedBecause: error.message,
          remedy: remedyFor({ code: "AuthorizationFailed", message: error.message, statusCode: 403 }, { kind: "deleteRoleAssignment" }),
        };
      }
      const info = error instanceof ActionFailure ? { code: error.code, message: error.message } : toArmErrorInfo(error);
      options.onProgress?.(`FAILED: ${action.description}: ${info.code}: ${info.message}`);
      return {
        actionId: action.id,
        status: "failed",
        attempts: tries.count,
        durationMs: Date.now() - started,
        requestId: info.requestId,
        error: info,
        remedy: remedyFor(info, failureContext(action)),
      };
    }
  }

  result.outcomes = await runInDependencyOrder(plan.actions, run, { signal, onOutcome: options.onOutcome });
  return result;
}
