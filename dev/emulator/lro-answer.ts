import type { EmulatorCore } from "./core";
import { asyncOperationUrl, locationUrl } from "./handlers/operation-status";
import type { HandlerContext, LongRunningWrite, Reply } from "./handlers/types";

/**
 * Answers a long-running write: applied now (sync mode) or 202 with status URLs (async mode).
 * `onApplied` runs when an asynchronous operation's change took effect, with its final status.
 */
export function answerLongRunning(
  core: EmulatorCore,
  ctx: HandlerContext,
  write: LongRunningWrite,
  onApplied: (final: Reply) => void = () => undefined,
): Reply {
  const isStorageSync = /\/providers\/Microsoft\.StorageSync\//i.test(write.resourceId);
  if (core.lroMode === "sync" || !isStorageSync) return write.apply();
  let written: Reply["written"];
  const op = core.lro.start({
    subscriptionId: write.subscriptionId,
    location: write.location,
    resourceId: write.resourceId,
    nowMs: core.clock.now(),
    durationMs: core.delays.lroMs,
    complete: () => {
      const final = write.apply();
      written = final.written;
      if (final.written?.length) onApplied(final);
      return { status: final.status, body: final.body };
    },
    onSettled: () => {
      for (const w of written ?? []) core.wrote(w.resourceUri, w.method, ctx.callerOid, ctx.correlationId);
    },
  });
  // Complete on time even if nobody polls (events must still be raised).
  setTimeout(() => core.settle(), core.delays.lroMs + 1).unref();
  const rg = /\/resourceGroups\/([^/]+)/i.exec(write.resourceId)?.[1] ?? "";
  const serviceName = /\/storageSyncServices\/([^/]+)/i.exec(write.resourceId)?.[1] ?? "";
  return {
    kind: "reply",
    status: 202,
    headers: {
      "Azure-AsyncOperation": `${asyncOperationUrl(core.armEndpoint, op, rg, serviceName)}?api-version=2022-09-01`,
      Location: `${locationUrl(core.armEndpoint, op)}?api-version=2022-09-01`,
      "Retry-After": String(core.delays.retryAfterSeconds),
    },
  };
}
