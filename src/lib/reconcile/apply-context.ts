import { randomUUID } from "node:crypto";
import {
  type ArmConnection,
  toArmErrorInfo,
  withWriteFence,
  type RegisteredServerView,
  type StorageSyncServiceView,
} from "../azure";
import type { Limiter } from "./concurrency";
import type { Plan } from "./plan";
import type { ActionOutcome, ActionStatus } from "./report";
import type { EngineSettings } from "./settings";
import type { WriteIntent, WriteJournal } from "./write-journal";

export interface ApplyResult {
  outcomes: ActionOutcome[];
  /** The service as read back after its last write, if any. */
  service?: StorageSyncServiceView;
  /** Servers as read back after their switch. */
  switchedServers: Map<string, RegisteredServerView>;
}

/**
 * What the steps of one apply share: the connection and its per-call
 * options, the concurrency bound, the journal, and what earlier steps
 * learned (the service's principal once its identity is enabled, the
 * read-backs that make the result).
 */
export interface ApplyContext {
  arm: ArmConnection;
  plan: Plan;
  settings: EngineSettings;
  call: { abortSignal?: AbortSignal };
  signal?: AbortSignal;
  /** Takes one of MAX_CONCURRENCY slots for the duration of `work`. */
  limit: Limiter;
  journal: WriteJournal;
  progress(message: string): void;
  /** The service's principal: the planned one, replaced by the one enabling the identity returns. */
  servicePrincipalId?: string;
  result: ApplyResult;
}

/** What a step produced, besides its outcome. */
export interface Executed {
  status: Extract<ActionStatus, "succeeded" | "alreadyPresent">;
  attempts: number;
  requestId?: string;
}

/** A step that did not do what it must (no principal, a read-back that disagrees): the action fails with this code. */
export class ActionFailure extends Error {
  constructor(
    message: string,
    public readonly code: string,
  ) {
    super(message);
    this.name = "ActionFailure";
  }
}

/** Thrown where an action would start its write after the run was asked to stop. */
export class Stopped extends Error {
  constructor() {
    super("the run was stopped before this action started");
    this.name = "Stopped";
  }
}

/** A deletion the automation may not make (403): the stale grant is reported instead. */
export class NotPermitted extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotPermitted";
  }
}

/**
 * One ARM write under a new client request id, journaled: the intent is durable before the
 * request leaves. A refusal (4xx) changed nothing and is recorded as failed; a lost connection,
 * 408 or 5xx may have applied it, so its intent stays open (marked unanswered) for the next run
 * to resolve by reading ARM.
 */
export async function journaled<T extends { requestId?: string }>(
  ctx: Pick<ApplyContext, "journal">,
  intent: Omit<WriteIntent, "clientRequestId">,
  send: (clientRequestId: string) => Promise<T>,
  unchanged: (result: T) => boolean = () => false,
): Promise<T> {
  const clientRequestId = randomUUID();
  await ctx.journal.intend({ ...intent, clientRequestId });
  let result: T;
  try {
    result = await withWriteFence(ctx.journal.fence, () => send(clientRequestId));
  } catch (error) {
    const info = toArmErrorInfo(error);
    if (info.statusCode !== undefined && info.statusCode < 500 && info.statusCode !== 408) {
      await ctx.journal.complete(clientRequestId, {
        status: "failed",
        armRequestId: info.requestId,
        errorCode: info.code,
        error: info.message.slice(0, 2000),
      });
    } else {
      await ctx.journal.unanswered(clientRequestId, { errorCode: info.code, error: info.message.slice(0, 2000) });
    }
    throw error;
  }
  await ctx.journal.complete(clientRequestId, {
    status: unchanged(result) ? "alreadyPresent" : "applied",
    armRequestId: result.requestId,
  });
  return result;
}
