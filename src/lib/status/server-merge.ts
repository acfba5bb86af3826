import { sameGuid } from "../azure/guid";
import type { ServerVerdict } from "../reconcile/report";
import type { ServerRecord } from "./rows";

export interface MergeContext {
  serviceId: string;
  runId: string;
  now: Date;
  activationWindowMs: number;
}

export interface MergedServer {
  record: ServerRecord;
  /** Set when the activation check must look at this server at that time. */
  activationDueAt?: string;
}

/**
 * Folds one run's verdict on a server into what the table already knew. The
 * engine sees only ARM's present; the record keeps the history ARM forgets:
 * when the switch happened, when the window ends, whether the activation check
 * already found it overdue and already re-ran once. Pure.
 */
export function mergeServerRecord(previous: ServerRecord | undefined, verdict: ServerVerdict, ctx: MergeContext): MergedServer {
  const now = ctx.now.toISOString();
  const dueAt = new Date(ctx.now.getTime() + ctx.activationWindowMs).toISOString();
  // A new principal (Arc identity reset, re-registration) starts the story over.
  const history = previous && (previous.principalId === undefined || sameGuid(previous.principalId, verdict.principalId)) ? previous : undefined;
  const record: ServerRecord = {
    serviceId: ctx.serviceId,
    serverId: verdict.serverId.toLowerCase(),
    resourceId: verdict.resourceId,
    name: verdict.name,
    serverRole: verdict.serverRole,
    agentVersion: verdict.agentVersion,
    principalId: verdict.principalId?.toLowerCase(),
    activeAuthType: verdict.activeAuthType,
    ...(verdict.registeredWith ? { registeredWith: verdict.registeredWith } : {}),
    state: verdict.state,
    reason: verdict.reason,
    errorCode: verdict.error?.code,
    errorMessage: verdict.error?.message,
    errorStatusCode: verdict.error?.statusCode,
    errorRequestId: verdict.error?.requestId,
    remedy: verdict.remedy,
    eligibleAt: history?.eligibleAt,
    switchedAt: history?.switchedAt,
    activationDueAt: history?.activationDueAt,
    activeAt: history?.activeAt,
    overdueAt: history?.overdueAt,
    lastCheckedAt: now,
    lastRunId: ctx.runId,
    switchAttempts: (history?.switchAttempts ?? 0) + (verdict.switchedThisRun ? 1 : 0),
    autoReruns: history?.autoReruns ?? 0,
  };

  if (verdict.switchedThisRun) {
    return {
      record: { ...record, state: "Switched", switchedAt: now, activationDueAt: dueAt, overdueAt: undefined, activeAt: undefined },
      activationDueAt: dueAt,
    };
  }
  switch (verdict.state) {
    case "Switched":
      if (history?.state === "ActivationOverdue") {
        // The engine cannot tell "waiting" from "overdue"; the activation check already did.
        return { record: { ...record, state: "ActivationOverdue", reason: history.reason, remedy: history.remedy ?? record.remedy } };
      }
      if (history?.state === "Switched" && history.activationDueAt) return { record };
      // Switched before we ever saw it: the window starts now.
      return { record: { ...record, switchedAt: history?.switchedAt ?? now, activationDueAt: dueAt }, activationDueAt: dueAt };
    case "Active":
      return { record: { ...record, activeAt: history?.state === "Active" ? (history.activeAt ?? now) : now, overdueAt: undefined, autoReruns: 0 } };
    case "Eligible":
      return { record: { ...record, eligibleAt: history?.eligibleAt ?? now } };
    default:
      return { record };
  }
}
