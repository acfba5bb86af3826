import type { RunRecord } from "./rows";

/**
 * A run is marked "running" before the engine starts and finished after it. A
 * worker that dies in between (host crash, scale-in, the last delivery moved
 * to the poison queue without running) leaves "running" behind for good. A
 * live run holds the service lease and renews it; a run that does not hold it
 * and started longer than the lease duration ago is not running any more: the
 * status API says so instead of showing it running forever. Nothing is lost: the row keeps what it had, and
 * the next run of the service (event, re-run or the daily sweep) repairs
 * whatever the abandoned one left half done.
 */
export function withAbandonment(run: RunRecord, now: Date, leaseDurationMs: number, lease: { owner: string } | undefined): RunRecord {
  if (run.status !== "running" || !run.startedAt) return run;
  // The worker renews the lease while the run lasts: as long as this run holds it, it is alive.
  if (lease?.owner.endsWith(`/${run.runId}`)) return run;
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
