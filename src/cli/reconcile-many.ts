import { createInterface } from "node:readline/promises";
import { roundRobinBySubscription, toArmErrorInfo, type ArmConnection, type ThrottleWaitMeter } from "../lib/azure";
import {
  mapWithConcurrency,
  ReconcileError,
  reconcileService,
  type EngineSettings,
  type MachineDirectory,
  type Plan,
  type PlannedAction,
  type ReconcileReport,
} from "../lib/reconcile";
import type { CliArgs } from "./args";
import { formatPlan } from "./format";
import type { CliIo } from "./io";
import { createProgressDisplay, wantsLiveProgress, type ProgressDisplay } from "./progress/display";
import { EstateProgress, progressLines } from "./progress/estate-progress";

export interface ServiceFailure {
  serviceId: string;
  error: {
    code: string;
    message: string;
    statusCode?: number;
    requestId?: string;
    transient?: boolean;
    remedy?: string;
  };
}

export interface ManyResult {
  reports: ReconcileReport<PlannedAction>[];
  failures: ServiceFailure[];
  /** Services never started because the run was stopped. */
  notStarted: string[];
  /** `apply` without --yes and without a terminal to ask on. */
  refusedWithoutTerminal: boolean;
}

/** How often the live display is redrawn. */
const REDRAW_MS = 200;

async function ask(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Works the services `args.concurrency` at a time over one ARM connection, so
 * they share its per-subscription throttle gate exactly as the app's workers
 * do: however many services run, each subscription's bucket is drawn on by one
 * gate. Services start round-robin over their subscriptions, so every
 * subscription's bucket is busy from the start. `apply` without --yes asks
 * service by service, so it works one at a time. Progress is shown as it goes (live on a terminal); after `io.stop`
 * aborts, no new service or write starts and writes in flight finish.
 */
export async function reconcileMany(
  arm: ArmConnection,
  serviceIds: string[],
  args: CliArgs,
  context: { io: CliIo; settings: EngineSettings; throttleWaits: ThrottleWaitMeter; machines: MachineDirectory },
): Promise<ManyResult> {
  const { io, settings, throttleWaits, machines } = context;
  const display = createProgressDisplay(
    io.stderr,
    wantsLiveProgress(io.stderr as NodeJS.WritableStream & { isTTY?: boolean }, io.env),
  );
  const progress = new EstateProgress(serviceIds.length, Date.now());
  const draw = () => display.show(progressLines(progress.view(Date.now(), throttleWaits.waitedMs())));
  const redraw = display.live ? setInterval(draw, REDRAW_MS) : undefined;
  redraw?.unref?.();
  const interactive = args.command === "apply" && !args.yes;
  const results: Array<ReconcileReport<PlannedAction> | ServiceFailure | undefined> = [];
  let refusedWithoutTerminal = false;
  try {
    // Interactive runs ask in listing order; others start round-robin over subscriptions.
    const order = interactive ? serviceIds.map((_, i) => i) : roundRobinBySubscription(serviceIds);
    await mapWithConcurrency(order, interactive ? 1 : args.concurrency, async (index) => {
      const serviceId = serviceIds[index] as string;
      if (io.stop?.aborted || refusedWithoutTerminal) return;
      results[index] = await one(serviceId);
      if (!display.live) draw();
    });
  } finally {
    if (redraw) clearInterval(redraw);
    if (display.live) draw();
    display.close();
  }

  async function one(serviceId: string): Promise<ReconcileReport<PlannedAction> | ServiceFailure> {
    // Per-action lines would scroll the live display away; failures still go through.
    const onProgress = (message: string) => {
      if (!display.live || /^(FAILED|REPORTED)/.test(message)) display.log(`  ${message}`);
    };
    try {
      display.log(`${args.command === "plan" ? "Planning" : "Reconciling"} ${serviceId}`);
      const confirm = interactive ? (plan: Plan) => confirmPlan(serviceId, plan, display) : undefined;
      const report = await reconcileService(arm, serviceId, {
        dryRun: args.command === "plan",
        settings,
        onProgress,
        onPlan: (plan) => progress.planMade(serviceId, plan, args.command === "plan"),
        onOutcome: (outcome) => progress.actionDone(outcome),
        signal: io.signal,
        stop: io.stop,
        confirm,
        machines,
      });
      progress.serviceFinished(serviceId, report);
      return report;
    } catch (error) {
      progress.serviceFinished(serviceId);
      const info = toArmErrorInfo(error);
      const failure: ServiceFailure = {
        serviceId,
        error: {
          ...info,
          ...(error instanceof ReconcileError
            ? { message: error.message, transient: error.transient, remedy: error.remedy }
            : {}),
        },
      };
      display.log(
        `afs-identity: ${serviceId}: ${failure.error.message}${failure.error.remedy ? `\n  remedy: ${failure.error.remedy}` : ""}`,
      );
      return failure;
    }
  }

  async function confirmPlan(serviceId: string, plan: Plan, out: ProgressDisplay): Promise<boolean> {
    out.log(formatPlan(plan));
    if (!io.stdin.isTTY) {
      refusedWithoutTerminal = true;
      return false;
    }
    const yes = await ask(io, `Apply ${plan.actions.length} action(s) to ${serviceId}? [y/N] `);
    if (!yes) out.log("Skipped.");
    return yes;
  }

  const reports: ReconcileReport<PlannedAction>[] = [];
  const failures: ServiceFailure[] = [];
  const notStarted: string[] = [];
  serviceIds.forEach((serviceId, i) => {
    const r = results[i];
    if (r === undefined) notStarted.push(serviceId);
    else if ("error" in r) failures.push(r);
    else reports.push(r);
  });
  return { reports, failures, notStarted, refusedWithoutTerminal };
}
