import { between, seededRandom } from "./prng";

/**
 * What the chaos run does to the stack, step by step. The schedule is a pure
 * function of the seed and the sizes, so a run can be replayed; which grant a
 * deletion hits is drawn at that moment from what exists (seeded too, but the
 * estate then depends on timing).
 */
export type ChaosStep =
  /** The next `times` ARM requests answer 429 with Retry-After. */
  | { kind: "throttleStorm"; times: number }
  /** The next `times` ARM requests answer this 5xx. */
  | { kind: "serverErrors"; times: number; status: 500 | 502 | 503 }
  /** The next `times` writes are applied, then their connection is dropped unanswered. */
  | { kind: "dropAfterApply"; times: number }
  /** The next `times` requests are dropped before anything happens. */
  | { kind: "dropBeforeApply"; times: number }
  /** SIGKILL one host now, start it again after `downMs`. */
  | { kind: "killHost"; host: number; downMs: number }
  /**
   * SIGSTOP one host for longer than the lease (LEASE_DURATION is 4 s in the chaos run), then SIGCONT: it wakes holding
   * a lease another host may have taken.
   */
  | { kind: "pauseHost"; host: number; pauseMs: number }
  /**
   * SIGKILL every host the moment the next product write is applied (before its answer, so before its journal update).
   */
  | { kind: "killOnNextWrite"; downMs: number }
  /** A new principal for one server's machine (Arc `--reset-identity`). */
  | { kind: "resetIdentity"; service: number; server: number }
  /** Delete one role assignment the product made for this service. */
  | { kind: "deleteGrant"; service: number }
  /** An operator's re-run request for a service (POST /api/reconcile). */
  | { kind: "reconcileRequest"; service: number };

export type ChaosKind = ChaosStep["kind"];

export interface TimedStep {
  atMs: number;
  step: ChaosStep;
}

export interface ScheduleSize {
  durationMs: number;
  services: number;
  serversPerService: number;
  hosts: number;
}

/** Relative frequency of each kind of step. */
const WEIGHTS: [ChaosKind, number][] = [
  ["throttleStorm", 3],
  ["serverErrors", 3],
  ["dropAfterApply", 3],
  ["dropBeforeApply", 2],
  ["killHost", 2],
  ["killOnNextWrite", 2],
  ["pauseHost", 2],
  ["resetIdentity", 2],
  ["deleteGrant", 2],
  ["reconcileRequest", 3],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((n, [, w]) => n + w, 0);

/**
 * How long a paused host sleeps: past the chaos run's 4 s lease (so another host can take it), and short of two
 * lease durations (8 s), the time the product allows a write handed to the network before a pause to arrive.
 */
export const PAUSE_PAST_LEASE_MS: [number, number] = [5_000, 7_000];

/** Mean gap between steps. */
const STEP_EVERY_MS = 1_200;

function pickKind(random: () => number): ChaosKind {
  let r = random() * TOTAL_WEIGHT;
  for (const [kind, w] of WEIGHTS) {
    if (r < w) return kind;
    r -= w;
  }
  return "reconcileRequest";
}

function stepOf(kind: ChaosKind, random: () => number, size: ScheduleSize): ChaosStep {
  switch (kind) {
    case "throttleStorm":
      return { kind, times: between(random, 5, 20) };
    case "serverErrors":
      return { kind, times: between(random, 2, 6), status: ([500, 502, 503] as const)[between(random, 0, 2)] ?? 503 };
    case "dropAfterApply":
      return { kind, times: between(random, 1, 3) };
    case "dropBeforeApply":
      return { kind, times: between(random, 1, 3) };
    case "killHost":
      return { kind, host: between(random, 0, size.hosts - 1), downMs: between(random, 300, 2_000) };
    case "killOnNextWrite":
      return { kind, downMs: between(random, 300, 1_500) };
    case "pauseHost":
      return {
        kind,
        host: between(random, 0, size.hosts - 1),
        pauseMs: between(random, PAUSE_PAST_LEASE_MS[0], PAUSE_PAST_LEASE_MS[1]),
      };
    case "resetIdentity":
      return {
        kind,
        service: between(random, 0, size.services - 1),
        server: between(random, 0, Math.max(0, size.serversPerService - 1)),
      };
    case "deleteGrant":
      return { kind, service: between(random, 0, size.services - 1) };
    case "reconcileRequest":
      return { kind, service: between(random, 0, size.services - 1) };
  }
}

export function faultSchedule(seed: number, size: ScheduleSize): TimedStep[] {
  const random = seededRandom(seed);
  // The run opens with a kill at the first write, so every run has one between a write and its record.
  const steps: TimedStep[] = [{ atMs: 0, step: { kind: "killOnNextWrite", downMs: between(random, 300, 1_500) } }];
  for (
    let at = between(random, 200, STEP_EVERY_MS);
    at < size.durationMs;
    at += between(random, STEP_EVERY_MS / 2, (STEP_EVERY_MS * 3) / 2)
  ) {
    let kind = pickKind(random);
    if (size.serversPerService === 0 && kind === "resetIdentity") kind = "reconcileRequest";
    steps.push({ atMs: at, step: stepOf(kind, random, size) });
  }
  return steps;
}

/** How many steps of each kind a schedule holds. */
export function countByKind(steps: TimedStep[]): Record<ChaosKind, number> {
  const counts = Object.fromEntries(WEIGHTS.map(([k]) => [k, 0])) as Record<ChaosKind, number>;
  for (const { step } of steps) counts[step.kind]++;
  return counts;
}
