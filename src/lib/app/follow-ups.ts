import { isAgentTooOld } from "../reconcile/agent-version";
import type { ActionOutcome, ReconcileReport } from "../reconcile/report";
import type { DiscoveryWatch, ReconcileRequest } from "../queue/messages";
import { requestReconcile } from "../queue/schedule";
import type { AppServices } from "./services";

/** What a run scheduled after itself, for its audit record; `gaveUp` notes become warnings. */
export interface FollowUp {
  text: string;
  gaveUp: boolean;
}

/** Failures a later run can get past: throttling, outages, an identity still replicating. */
function isRetryableOutcome(error: ActionOutcome["error"]): boolean {
  if (!error) return false;
  if (error.code.toLowerCase() === "principalnotfound") return true;
  return error.statusCode === undefined || error.statusCode === 408 || error.statusCode === 429 || error.statusCode >= 500;
}

/**
 * controller-runtime's "requeue after": the service is looked at again after
 * a back-off (the DISCOVERY_RECHECK_DELAYS series) instead of waiting for the
 * daily sweep when actions failed for reasons that pass, or when a newly
 * registered server has no identity yet (its agent reports one minutes later,
 * and that report raises no event).
 */
export async function requeueIfWorthIt(app: AppServices, request: ReconcileRequest, report: ReconcileReport, newServerIds: string[]): Promise<FollowUp | undefined> {
  const retryable = report.outcomes.filter((o) => o.status === "failed" && isRetryableOutcome(o.error));
  // Agents too old to know managed identities never report one: not worth waiting for.
  const noIdentity = new Set(
    report.servers.filter((s) => s.state === "NoIdentity" && !isAgentTooOld(s.agentVersion, app.config.minAgentVersion)).map((s) => s.serverId.toLowerCase()),
  );
  const waitedFor = request.trigger.kind === "retry" ? (request.trigger.waitingFor ?? []) : [];
  const waitingFor = [...new Set([...newServerIds, ...waitedFor])].filter((id) => noIdentity.has(id));
  if (retryable.length === 0 && waitingFor.length === 0) return undefined;
  const reasons = [
    ...(retryable.length > 0 ? [`${retryable.length} action(s) failed transiently: ${retryable.map((o) => o.error?.code).join(", ")}`] : []),
    ...(waitingFor.length > 0 ? [`${waitingFor.length} new server(s) without a reported identity yet`] : []),
  ];
  const reason = reasons.join("; ");
  const attempt = request.trigger.kind === "retry" ? request.trigger.attempt + 1 : 0;
  const delayMs = app.config.discoveryRecheckDelaysMs[attempt];
  if (delayMs === undefined) return { gaveUp: true, text: `gave up retrying after ${attempt} retries: ${reason}` };
  const next = await requestReconcile(
    app.scheduler,
    {
      serviceId: request.serviceId,
      trigger: { kind: "retry", previousRunId: request.runId, attempt, reason: reason.slice(0, 500), ...(waitingFor.length > 0 ? { waitingFor: waitingFor.slice(0, 100) } : {}) },
      delayMs,
      coalesce: false,
    },
    app.now(),
  );
  return { gaveUp: false, text: `retry ${attempt + 1} in ${Math.round(delayMs / 1000)} s (run ${next.runId}): ${reason}` };
}

/**
 * A machine's new identity is reported by the agent with no ARM event, so the
 * run that was meant to see it checks, and schedules the next look (with the
 * next, longer delay) until it shows up or the delays run out.
 */
export async function followUpDiscovery(app: AppServices, request: ReconcileRequest, report: ReconcileReport, watch: DiscoveryWatch): Promise<FollowUp> {
  const reported = report.servers.find((s) => s.principalId?.toLowerCase() === watch.principalId.toLowerCase());
  if (reported) return { gaveUp: false, text: `identity ${watch.principalId} of ${watch.machineId} reported by server ${reported.name}` };
  const next = watch.attempt + 1;
  const delayMs = app.config.discoveryRecheckDelaysMs[next];
  if (delayMs === undefined) {
    return { gaveUp: true, text: `gave up waiting for the agent to report identity ${watch.principalId} of ${watch.machineId} after ${next} checks` };
  }
  const scheduled = await requestReconcile(
    app.scheduler,
    {
      serviceId: request.serviceId,
      trigger: { kind: "discovery", machineId: watch.machineId, principalId: watch.principalId, attempt: next },
      discovery: [{ ...watch, attempt: next }],
      delayMs,
    },
    app.now(),
  );
  return { gaveUp: false, text: `identity ${watch.principalId} not reported yet; re-check ${next} in ${Math.round(delayMs / 1000)} s (run ${scheduled.runId})` };
}
