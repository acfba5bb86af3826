import { randomUUID } from "node:crypto";
import type { ArmError } from "./arm-error";

/** The final answer of a long-running write, computed when it completes. */
export interface LroResult {
  status: number;
  body?: unknown;
}

export interface LroOperation {
  id: string;
  subscriptionId: string;
  location: string;
  resourceId: string;
  status: "InProgress" | "Succeeded" | "Failed";
  startTime: string;
  endTime?: string;
  dueAtMs: number;
  result?: LroResult;
  error?: ArmError;
  complete: () => LroResult;
  /** Called after completion (success or failure), e.g. to raise the write event. */
  onSettled?: () => void;
}

/**
 * Long-running writes answered with 202: the change is applied when the
 * operation completes (after `lroMs` on the simulated clock), as in ARM, where
 * a read during the operation still sees the old state.
 */
export class LroTracker {
  private ops = new Map<string, LroOperation>();

  start(args: {
    subscriptionId: string;
    location: string;
    resourceId: string;
    nowMs: number;
    durationMs: number;
    complete: () => LroResult;
    onSettled?: () => void;
  }): LroOperation {
    const op: LroOperation = {
      id: randomUUID(),
      subscriptionId: args.subscriptionId,
      location: args.location,
      resourceId: args.resourceId,
      status: "InProgress",
      startTime: new Date(args.nowMs).toISOString(),
      dueAtMs: args.nowMs + args.durationMs,
      complete: args.complete,
      onSettled: args.onSettled,
    };
    this.ops.set(op.id, op);
    return op;
  }

  get(id: string): LroOperation | undefined {
    return this.ops.get(id.toLowerCase()) ?? this.ops.get(id);
  }

  /** Completes every operation that is due; returns those completed now. */
  settle(nowMs: number, onError: (op: LroOperation, e: unknown) => ArmError): LroOperation[] {
    const done: LroOperation[] = [];
    for (const op of this.ops.values()) {
      if (op.status !== "InProgress" || op.dueAtMs > nowMs) continue;
      try {
        op.result = op.complete();
        op.status = "Succeeded";
      } catch (e) {
        op.error = onError(op, e);
        op.status = "Failed";
      }
      op.endTime = new Date(nowMs).toISOString();
      done.push(op);
    }
    return done;
  }

  pending(): number {
    return [...this.ops.values()].filter((o) => o.status === "InProgress").length;
  }

  clear(): void {
    this.ops.clear();
  }
}
