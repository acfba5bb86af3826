import type { Timer } from "@azure/functions";
import { Cron } from "croner";
import type { TimerFunction } from "../host-function";
import type { Invoker } from "../invocation";
import type { ScopedLog } from "../logger";

export interface RunningTimer {
  stop(): Promise<void>;
}

/** How late a firing may be before the runtime would call it past due. */
const PAST_DUE_AFTER_MS = 1000;

/**
 * Fires a timer function on its six-field NCRONTAB schedule (croner reads the
 * first field as seconds), in UTC as the Functions runtime does by default.
 * Invocations never overlap (the runtime holds a singleton lock per timer);
 * `runOnStartup` fires once immediately.
 */
export function startTimer(fn: TimerFunction, invoker: Invoker, log: ScopedLog): RunningTimer {
  let last: Date | undefined;
  let running: Promise<unknown> | undefined;

  const fire = async (scheduled: Date, reason: string): Promise<void> => {
    if (running) {
      log("warning", `timer ${fn.name} is still running; skipping the occurrence at ${scheduled.toISOString()}`, {
        functionName: fn.name,
      });
      return;
    }
    const now = new Date();
    const next = job.nextRun() ?? now;
    const input: Timer = {
      isPastDue: now.getTime() - scheduled.getTime() > PAST_DUE_AFTER_MS,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: (last ?? new Date(0)).toISOString(),
        next: next.toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    last = scheduled;
    running = invoker.invoke(fn, input, { timer: input }, reason);
    try {
      await running;
    } finally {
      running = undefined;
    }
  };

  const job = new Cron(fn.schedule, { timezone: "UTC", catch: true }, (self: Cron) => {
    const scheduled = self.currentRun() ?? new Date();
    void fire(scheduled, `Timer fired at ${scheduled.toISOString()}`);
  });
  log(
    "information",
    `timer ${fn.name}: schedule "${fn.schedule}", next occurrence ${job.nextRun()?.toISOString() ?? "never"}`,
    { functionName: fn.name },
  );
  if (fn.runOnStartup) void fire(new Date(), "Timer fired on startup (runOnStartup)");

  return {
    async stop() {
      job.stop();
      await running;
    },
  };
}
