import { isReplicationDelay, isTransient } from "../azure";
import { isAgentTooOld, type EngineHints, type ReconcileReport } from "../reconcile";
import type { DiscoveryWatch, ReconcileRequest } from "../queue/messages";
import type { ReconcileAsk } from "../scheduling/schedule";

/**
 * controller-runtime's Result{RequeueAfter}: a run decides, as a value, when
 * the service is looked at again; the worker performs it. A look is worth
 * asking for when actions failed for reasons that pass (throttling, outages,
 * an identity still replicating), when a newly registered server has no
 * identity yet (its agent reports one minutes later, and that report raises no
 * event), and while a machine's new identity has not shown up. Each walks the
 * DISCOVERY_RECHECK_DELAYS series; past its end the run gives up with a note.
 */
export type FollowUp =
  | { kind: "requeue"; ask: ReconcileAsk & { delayMs: number }; describe(runId: string): string }
  | { kind: "note"; text: string; gaveUp: boolean };

export interface RequeuePolicy {
  /** DISCOVERY_RECHECK_DELAYS, in ms: the n-th look waits the n-th delay. */
  recheckDelaysMs: readonly number[];
  minAgentVersion: string;
}

/** The previous rows' part of the decision: the server ids the table held before this run wrote. */
export interface PreviousRows {
  serverIds: readonly string[];
}

const seconds = (ms: number): number => Math.round(ms / 1000);

export function decideFollowUps(
  request: ReconcileRequest,
  report: ReconcileReport,
  previous: PreviousRows,
  policy: RequeuePolicy,
): FollowUp[] {
  const looks: FollowUp[] = [];
  const retry = decideRetry(request, report, previous, policy);
  if (retry) looks.push(retry);
  for (const watch of request.discovery ?? []) looks.push(decideDiscovery(request, report, watch, policy));
  return looks;
}

/** Servers registered since the previous run (none on a service's first run: then every server is unknown). */
export function newServerIds(report: ReconcileReport, previous: PreviousRows): string[] {
  if (previous.serverIds.length === 0) return [];
  const known = new Set(previous.serverIds.map((id) => id.toLowerCase()));
  return report.servers.map((v) => v.serverId.trim().toLowerCase()).filter((id) => !known.has(id));
}

/**
 * What a request carries beyond its service id, as the engine's hints
 * (undefined when nothing): the machines a discovery look watches, and the
 * overdue servers whose switch the run sends again.
 */
export function engineHintsOf(request: ReconcileRequest): EngineHints | undefined {
  const identityChanges = (request.discovery ?? []).map((w) => ({
    machineId: w.machineId,
    principalId: w.principalId,
    hostNames: w.hostNames ?? [],
    ...(w.previousPrincipalId ? { previousPrincipalId: w.previousPrincipalId } : {}),
    ...(w.tenantId ? { tenantId: w.tenantId } : {}),
    ...(w.status ? { status: w.status } : {}),
  }));
  if (identityChanges.length === 0 && !request.overdue?.length) return undefined;
  return { identityChanges, ...(request.overdue?.length ? { overdueServerIds: request.overdue } : {}) };
}

/** Overdue servers whose re-sent switch did not go out in this run: a retry sends it again. */
function stillOverdue(request: ReconcileRequest, report: ReconcileReport): string[] {
  const switched = new Set(report.servers.filter((s) => s.switchedThisRun).map((s) => s.serverId.toLowerCase()));
  return (request.overdue ?? []).filter((id) => !switched.has(id.toLowerCase()));
}

function decideRetry(
  request: ReconcileRequest,
  report: ReconcileReport,
  previous: PreviousRows,
  policy: RequeuePolicy,
): FollowUp | undefined {
  const transient = report.outcomes.filter(
    (o) => o.status === "failed" && o.error !== undefined && (isTransient(o.error) || isReplicationDelay(o.error)),
  );
  // Agents too old to know managed identities never report one: not worth waiting for.
  const noIdentity = new Set(
    report.servers
      .filter((s) => s.state === "NoIdentity" && !isAgentTooOld(s.agentVersion, policy.minAgentVersion))
      .map((s) => s.serverId.toLowerCase()),
  );
  const waitedFor = request.trigger.kind === "retry" ? (request.trigger.waitingFor ?? []) : [];
  const waitingFor = [...new Set([...newServerIds(report, previous), ...waitedFor])].filter((id) => noIdentity.has(id));
  if (transient.length === 0 && waitingFor.length === 0) return undefined;
  const reasons = [
    ...(transient.length > 0
      ? [`${transient.length} action(s) failed transiently: ${transient.map((o) => o.error?.code).join(", ")}`]
      : []),
    ...(waitingFor.length > 0 ? [`${waitingFor.length} new server(s) without a reported identity yet`] : []),
  ];
  const reason = reasons.join("; ");
  const attempt = request.trigger.kind === "retry" ? request.trigger.attempt + 1 : 0;
  const delayMs = policy.recheckDelaysMs[attempt];
  if (delayMs === undefined)
    return { kind: "note", gaveUp: true, text: `gave up retrying after ${attempt} retries: ${reason}` };
  const overdue = stillOverdue(request, report);
  return {
    kind: "requeue",
    ask: {
      serviceId: request.serviceId,
      trigger: {
        kind: "retry",
        previousRunId: request.runId,
        attempt,
        reason: reason.slice(0, 500),
        ...(waitingFor.length > 0 ? { waitingFor: waitingFor.slice(0, 100) } : {}),
      },
      ...(overdue.length > 0 ? { overdue } : {}),
      delayMs,
      coalesce: false,
    },
    describe: (runId) => `retry ${attempt + 1} in ${seconds(delayMs)} s (run ${runId}): ${reason}`,
  };
}

/**
 * A machine's new identity is reported by the agent with no ARM event: looked for again until it shows up or the delays
 * run out.
 */
function decideDiscovery(
  request: ReconcileRequest,
  report: ReconcileReport,
  watch: DiscoveryWatch,
  policy: RequeuePolicy,
): FollowUp {
  const reported = report.servers.find((s) => s.principalId?.toLowerCase() === watch.principalId.toLowerCase());
  if (reported)
    return {
      kind: "note",
      gaveUp: false,
      text: `identity ${watch.principalId} of ${watch.machineId} reported by server ${reported.name}`,
    };
  const next = watch.attempt + 1;
  const delayMs = policy.recheckDelaysMs[next];
  if (delayMs === undefined) {
    return {
      kind: "note",
      gaveUp: true,
      text: `gave up waiting for the agent to report identity ${watch.principalId} of ${watch.machineId} after ${next} checks`,
    };
  }
  return {
    kind: "requeue",
    ask: {
      serviceId: request.serviceId,
      trigger: { kind: "discovery", machineId: watch.machineId, principalId: watch.principalId, attempt: next },
      discovery: [{ ...watch, attempt: next }],
      delayMs,
    },
    describe: (runId) =>
      `identity ${watch.principalId} not reported yet; re-check ${next} in ${seconds(delayMs)} s (run ${runId})`,
  };
}
