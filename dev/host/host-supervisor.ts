import type { HostProcess } from "./spawn-host";

/**
 * Keeps the local host running under `npm start`, as the platform restarts a
 * Functions host that died: a crash (non-zero exit, or killed by a signal) is
 * reported with its exit code or signal and the host started again on the same
 * port and key, while Azurite and the emulator keep running with their state.
 * A host that keeps crashing soon after it starts is restarted with growing
 * delays; one that cannot even start again several times in a row is given up.
 */

/** A host that ran at least this long before crashing is not in a crash loop. */
export const STABLE_RUN_MS = 60_000;
export const MAX_RESTART_DELAY_MS = 30_000;
/** Restarts that fail before the host is ready, in a row, before the supervisor gives up. */
export const MAX_FAILED_STARTS = 3;

/**
 * Delay before restarting after the n-th crash in a row that came soon after a start (n ≥ 1): at once, then 1 s, 2 s, 4
 * s … up to 30 s.
 */
export function restartDelayMs(quickCrashes: number): number {
  if (quickCrashes <= 1) return 0;
  return Math.min(MAX_RESTART_DELAY_MS, 1_000 * 2 ** Math.min(quickCrashes - 2, 30));
}

export interface SupervisorReport {
  /** The host crashed; it will be restarted after delayMs. */
  crashed(info: { exit: string; ranMs: number; delayMs: number; restart: number }): void;
  restarted(host: HostProcess, restart: number): void;
  /** The host exited with code 0 (it was told to stop, not by the stack). */
  stoppedByItself(): void;
  /** It could not be started again: the stack should stop. */
  gaveUp(error: Error): void;
}

export interface HostSupervisor {
  readonly restarts: number;
  /** No more restarts; waits for a restart under way so the caller can stop the host it started. */
  stop(): Promise<void>;
}

export function superviseHost(
  first: HostProcess,
  restartHost: () => Promise<HostProcess>,
  report: SupervisorReport,
): HostSupervisor {
  let stopped = false;
  let restarts = 0;
  let quickCrashes = 0;
  let failedStarts = 0;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => {
      timer = undefined;
      restarting = restart().finally(() => (restarting = undefined));
    }, delayMs);
  };

  const restart = async (): Promise<void> => {
    if (stopped) return;
    try {
      const host = await restartHost();
      failedStarts = 0;
      restarts++;
      report.restarted(host, restarts);
      watch(host);
    } catch (error) {
      failedStarts++;
      if (stopped) return;
      if (failedStarts >= MAX_FAILED_STARTS) {
        report.gaveUp(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      quickCrashes++;
      schedule(restartDelayMs(quickCrashes));
    }
  };

  const watch = (host: HostProcess): void => {
    const startedAt = Date.now();
    host.child.once("exit", (code, signal) => {
      if (stopped) return;
      if (code === 0) {
        report.stoppedByItself();
        return;
      }
      const ranMs = Date.now() - startedAt;
      quickCrashes = ranMs < STABLE_RUN_MS ? quickCrashes + 1 : 1;
      const delayMs = restartDelayMs(quickCrashes);
      report.crashed({
        exit: signal ? `killed by ${signal}` : `exit code ${code}`,
        ranMs,
        delayMs,
        restart: restarts + 1,
      });
      schedule(delayMs);
    });
  };
  watch(first);

  return {
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await restarting;
    },
  };
}
