import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * What the wire saw of one SDK call: its attempts, and how many of them ended
 * without an answer that rules out ARM having applied them (no response at
 * all, a 408 or a 5xx). The SDK's retry repeats a write under the same
 * x-ms-client-request-id, so when an earlier attempt is unanswered, the final
 * answer may describe what that attempt did rather than what the last one did.
 */
export interface AttemptLog {
  attempts: number;
  unanswered: number;
}

const currentLog = new AsyncLocalStorage<AttemptLog>();

/** Placed after the retry policy, so it sees every attempt of a call made inside withAttemptLog. */
export function attemptLogPolicy(): PipelinePolicy {
  return {
    name: "afsAttemptLog",
    async sendRequest(request, next) {
      const log = currentLog.getStore();
      if (!log) return next(request);
      log.attempts += 1;
      try {
        const response = await next(request);
        if (response.status === 408 || response.status >= 500) log.unanswered += 1;
        return response;
      } catch (error) {
        log.unanswered += 1;
        throw error;
      }
    },
  };
}

/** Runs one SDK call and returns what it produced with the log of its attempts. */
export async function withAttemptLog<T>(call: () => Promise<T>): Promise<{ result: T; log: AttemptLog }> {
  const log: AttemptLog = { attempts: 0, unanswered: 0 };
  const result = await currentLog.run(log, call);
  return { result, log };
}
