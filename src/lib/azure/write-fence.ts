import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** Throws when the caller may no longer write (its lease was lost); runs before every attempt of a write. */
export type WriteFence = () => void;

const currentFence = new AsyncLocalStorage<WriteFence>();

/**
 * Placed after the retry policy, so it sees every attempt: the SDK's retry of a write (after a 5xx or a lost
 * connection, seconds later) is a write too, and a holder that lost its lease meanwhile must not send it. Reads
 * (including a long-running operation's polls) pass.
 */
export function writeFencePolicy(): PipelinePolicy {
  return {
    name: "afsWriteFence",
    sendRequest(request, next) {
      if (request.method !== "GET" && request.method !== "HEAD") currentFence.getStore()?.();
      return next(request);
    },
  };
}

/** Runs one SDK call whose write attempts are each sent only while `fence` does not throw. */
export function withWriteFence<T>(fence: WriteFence, call: () => Promise<T>): Promise<T> {
  return currentFence.run(fence, call);
}
