import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export interface ArmCallCounts {
  reads: number;
  writes: number;
}

/**
 * Counts ARM requests per run. One ArmConnection (and its SDK clients) is
 * shared by concurrent runs, so the counter travels with the async context of
 * the run rather than living on the clients.
 */
const currentCounts = new AsyncLocalStorage<ArmCallCounts>();

const armCallCounterPolicyName = "afsArmCallCounter";

/** Placed after the retry policy, so every attempt on the wire (retries, LRO polls) is counted. */
export function armCallCounterPolicy(): PipelinePolicy {
  return {
    name: armCallCounterPolicyName,
    sendRequest(request, next) {
      const counts = currentCounts.getStore();
      if (counts) {
        if (request.method === "GET" || request.method === "HEAD") counts.reads += 1;
        else counts.writes += 1;
      }
      return next(request);
    },
  };
}

/** Runs `work` and returns what it produced with the ARM calls it made (only its own). */
export async function countArmCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: ArmCallCounts }> {
  const calls: ArmCallCounts = { reads: 0, writes: 0 };
  const result = await currentCounts.run(calls, work);
  return { result, calls };
}
