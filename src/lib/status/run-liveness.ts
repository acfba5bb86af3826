import type { RunRecord } from "./run-records";

/**
 * A run is marked "running" before the engine starts and finished after it. A
 * worker that dies in between (host crash, scale-in, the last delivery moved
 * to the poison queue without running) leaves "running" behind for good. The
 * service lease bounds how long any worker may hold a run, so once it has
 * expired nobody is running it any more: the status API says so instead of
 * showing it running forever. Nothing is lost: the row keeps what it had, and
 * the next run of the service (event, re-run or the daily sweep) repairs
 * whatever the abandoned one left half done.
 */
export function withAbandonment(run: RunRecord, now: Date, leaseDurationMs: number): RunRecord {
  if (run.status !== "running" || !run.startedAt) return run;
  const started = Date.parse(run.startedAt);
  if (!Number.isFinite(started) || now.getTime() <= started + leaseDurationMs) return run;
  return {
    ...run,
    status: "abandoned",
    error:
      run.error ??
      `the worker stopped without finishing this run (started ${run.startedAt}, its ${Math.round(leaseDurationMs / 1000)} s lease expired); ` +
        "the next run of the service repairs what it left undone",
  };
}
