import type { ServerState } from "../reconcile";
import { serverKey } from "../tables/keys";
import { SERVER_STATES, type RunStatus, type StateCounts } from "../store";

/**
 * One Application Insights custom event: `name` lands in customEvents.name,
 * `properties` in customDimensions, `measurements` in customMeasurements.
 * The names and keys below are what the alert rules in infra/app/alerts.bicep
 * and the queries in docs/operations.md read: change them together.
 */
export interface TelemetryEvent {
  name: string;
  properties: Record<string, string>;
  measurements: Record<string, number>;
}

export const EVENT_NAMES = {
  run: "AfsIdentityRun",
  serviceCounts: "AfsIdentityServiceCounts",
  activationCheck: "AfsIdentityActivationCheck",
  sweep: "AfsIdentitySweep",
  serverOverdue: "AfsIdentityServerOverdue",
  serverFailed: "AfsIdentityServerFailed",
  servicePoisoned: "AfsIdentityServicePoisoned",
  roleAssignmentQuota: "AfsIdentityRoleAssignmentQuota",
} as const;

export interface RunTelemetry {
  serviceId: string;
  runId: string;
  status: RunStatus;
  trigger: string;
  dryRun: boolean;
  attempt: number;
  durationMs: number;
  armReads?: number;
  armWrites?: number;
  actions?: number;
  failedActions?: number;
  converged?: boolean;
  errorCode?: string;
}

/**
 * The activation check's summary as it returns it (counts by outcome), with its ARM reads and duration: each field one
 * measurement.
 */
export type ActivationCheckTelemetry = Readonly<Record<string, number>> & { armReads: number; durationMs: number };

export interface SweepTelemetry {
  trigger: string;
  dryRun: boolean;
  scopes: number;
  failedScopes: number;
  requested: number;
  merged: number;
  durationMs: number;
}

/** A server that just entered a state needing an administrator. */
export interface ServerTelemetry {
  serviceId: string;
  serverId: string;
  name: string;
  resourceId: string;
  reason: string;
  remedy?: string;
  errorCode?: string;
  runId?: string;
}

export interface PoisonTelemetry {
  serviceId: string;
  runId: string;
  attempts: number;
  error: string;
}

/** Drops undefined values: App Insights would store them as the text "undefined". */
function defined<T>(entries: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, T] => e[1] !== undefined));
}

export function runEvent(run: RunTelemetry): TelemetryEvent {
  return {
    name: EVENT_NAMES.run,
    properties: defined({
      serviceId: run.serviceId,
      runId: run.runId,
      status: run.status,
      trigger: run.trigger,
      dryRun: String(run.dryRun),
      converged: run.converged === undefined ? undefined : String(run.converged),
      errorCode: run.errorCode,
    }),
    measurements: defined({
      durationMs: run.durationMs,
      attempt: run.attempt,
      armReads: run.armReads,
      armWrites: run.armWrites,
      actions: run.actions,
      failedActions: run.failedActions,
    }),
  };
}

/** Counts by state of one service as just written (by a run or the activation check); one measurement per state. */
export function serviceCountsEvent(
  serviceId: string,
  counts: StateCounts,
  source: "run" | "activationCheck",
  converged?: boolean,
): TelemetryEvent {
  const measurements: Record<string, number> = {};
  for (const state of SERVER_STATES) measurements[state] = counts[state];
  return {
    name: EVENT_NAMES.serviceCounts,
    properties: defined({ serviceId, source, converged: converged === undefined ? undefined : String(converged) }),
    measurements,
  };
}

export function activationCheckEvent(check: ActivationCheckTelemetry): TelemetryEvent {
  return { name: EVENT_NAMES.activationCheck, properties: {}, measurements: { ...check } };
}

export function sweepEvent(sweep: SweepTelemetry): TelemetryEvent {
  const { trigger, dryRun, ...measurements } = sweep;
  return { name: EVENT_NAMES.sweep, properties: { trigger, dryRun: String(dryRun) }, measurements };
}

export function serverEvent(kind: "overdue" | "failed", server: ServerTelemetry): TelemetryEvent {
  return {
    name: kind === "overdue" ? EVENT_NAMES.serverOverdue : EVENT_NAMES.serverFailed,
    properties: defined({ ...server }),
    measurements: {},
  };
}

export function poisonEvent(poison: PoisonTelemetry): TelemetryEvent {
  return {
    name: EVENT_NAMES.servicePoisoned,
    properties: { serviceId: poison.serviceId, runId: poison.runId, error: poison.error },
    measurements: { attempts: poison.attempts },
  };
}

/** A subscription the run granted in holds more than 90 % of Azure's role-assignment limit. */
export function roleAssignmentQuotaEvent(quota: {
  serviceId: string;
  runId: string;
  subscriptionId: string;
  count: number;
  limit: number;
  orphaned: number;
  productStale: number;
}): TelemetryEvent {
  return {
    name: EVENT_NAMES.roleAssignmentQuota,
    properties: { serviceId: quota.serviceId, runId: quota.runId, subscriptionId: quota.subscriptionId },
    measurements: {
      count: quota.count,
      limit: quota.limit,
      orphaned: quota.orphaned,
      productStale: quota.productStale,
    },
  };
}

/**
 * Servers that are Failed now and were not before (a new server counts): one event per failure, not one per run.
 * previousStates is keyed by serverKey.
 */
export function newlyFailed<S extends { serverId: string; state: ServerState }>(
  servers: S[],
  previousStates: ReadonlyMap<string, ServerState>,
): S[] {
  return servers.filter((s) => s.state === "Failed" && previousStates.get(serverKey(s.serverId)) !== "Failed");
}
