import type { ActionOutcome, Plan, ReconcileReport, ServerState } from "../../lib/reconcile";

/** What the progress display shows at one moment. */
export interface ProgressView {
  servicesDone: number;
  servicesTotal: number;
  /** Writes ARM applied or found already present. */
  writesMade: number;
  /** Writes in the plans made so far, scaled to the services not yet planned. */
  writesPlanned: number;
  serversByState: Partial<Record<ServerState, number>>;
  /** Wall-clock time requests waited on throttled buckets (429s and low remaining tokens). */
  waitedMs: number;
  elapsedMs: number;
  /** Estimated time left, from the rate of writes so far; undefined until a write was made. */
  etaMs?: number;
}

/**
 * The progress of a CLI run over many services, fed by the engine's hooks
 * (plan made, action outcome, service finished). Pure bookkeeping: the clock
 * and the throttle wait are passed in, so it is tested without time.
 */
export class EstateProgress {
  private readonly planned = new Map<string, number>();
  private readonly serverStates = new Map<string, ServerState[]>();
  private readonly finished = new Set<string>();
  private writesMade = 0;

  constructor(
    private readonly servicesTotal: number,
    private readonly startedAt: number,
  ) {}

  planMade(serviceId: string, plan: Plan, dryRun: boolean): void {
    this.planned.set(serviceId, dryRun ? 0 : plan.actions.length);
    this.serverStates.set(
      serviceId,
      plan.servers.map((s) => s.state),
    );
  }

  actionDone(outcome: ActionOutcome): void {
    if (outcome.status === "succeeded" || outcome.status === "alreadyPresent") this.writesMade++;
  }

  serviceFinished(serviceId: string, report?: ReconcileReport): void {
    this.finished.add(serviceId);
    if (report)
      this.serverStates.set(
        serviceId,
        report.servers.map((s) => s.state),
      );
  }

  /** Services that finished (reported or failed). */
  isFinished(serviceId: string): boolean {
    return this.finished.has(serviceId);
  }

  view(now: number, waitedMs: number): ProgressView {
    const plannedSoFar = [...this.planned.values()].reduce((a, b) => a + b, 0);
    // Services not planned yet are assumed to need as many writes as the planned ones on average.
    const writesPlanned =
      this.planned.size === 0 ? 0 : Math.round((plannedSoFar * this.servicesTotal) / this.planned.size);
    const serversByState: Partial<Record<ServerState, number>> = {};
    for (const states of this.serverStates.values())
      for (const s of states) serversByState[s] = (serversByState[s] ?? 0) + 1;
    const elapsedMs = Math.max(0, now - this.startedAt);
    const left = Math.max(0, writesPlanned - this.writesMade);
    const etaMs = this.writesMade > 0 ? (elapsedMs * left) / this.writesMade : undefined;
    return {
      servicesDone: this.finished.size,
      servicesTotal: this.servicesTotal,
      writesMade: this.writesMade,
      writesPlanned: Math.max(writesPlanned, this.writesMade),
      serversByState,
      waitedMs,
      elapsedMs,
      ...(etaMs === undefined ? {} : { etaMs }),
    };
  }
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** The view as text lines, the same on a terminal and in a log (no colour: it must read without it). */
export function progressLines(view: ProgressView): string[] {
  const servers = Object.entries(view.serversByState)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => `${state} ${n}`)
    .join(", ");
  return [
    `services ${view.servicesDone}/${view.servicesTotal}  writes ${view.writesMade}/${view.writesPlanned}  waited on throttling ${duration(view.waitedMs)}  elapsed ${duration(view.elapsedMs)}  ETA ${view.etaMs === undefined ? "-" : duration(view.etaMs)}`,
    `servers: ${servers || "none seen yet"}`,
  ];
}
