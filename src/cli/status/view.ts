import { emptyCounts, SERVER_STATES, type ServerRecord, type ServiceRecord, type StateCounts } from "../../lib/store";

/** A service and a server as the status API returns them (and as the status tables hold them). */
export type ServiceStatus = ServiceRecord;
export type ServerStatus = ServerRecord;

/** States that need an administrator; listed under the services. */
export const ATTENTION_STATES = ["Failed", "ActivationOverdue"] as const;

export interface StatusSnapshot {
  /** Where it was read: the API root or the table endpoint. */
  source: string;
  services: ServiceStatus[];
  attention: ServerStatus[];
}

export interface ServiceVerdict {
  serviceId: string;
  converged: boolean;
  /** Why not, one phrase each (empty when converged). */
  reasons: string[];
}

export interface StatusView extends StatusSnapshot {
  totals: StateCounts;
  verdicts: ServiceVerdict[];
  converged: boolean;
}

/**
 * Converged = the last run left nothing to do (`converged` on the service
 * row), no server is Failed or overdue (the activation check updates the
 * counts after the run), and the service is not poisoned or failed. A service
 * never reconciled is not converged.
 */
export function verdictOf(service: ServiceStatus): ServiceVerdict {
  const reasons: string[] = [];
  if (service.poisonedAt) reasons.push(`poisoned: ${service.poisonReason ?? "retries exhausted"}`);
  else if (service.lastRunStatus === "failed") reasons.push(`last run failed: ${service.lastError ?? "unknown error"}`);
  if (service.converged === undefined) reasons.push("no completed run yet");
  else if (!service.converged) reasons.push("the last run left work undone");
  for (const state of ATTENTION_STATES) {
    const n = service.counts[state] ?? 0;
    if (n > 0) reasons.push(`${n} ${state}`);
  }
  return { serviceId: service.serviceId, converged: reasons.length === 0, reasons };
}

export function buildView(snapshot: StatusSnapshot): StatusView {
  const totals = emptyCounts();
  // A service deleted in Azure has nothing left to converge: it is listed, but neither counted nor judged.
  const live = snapshot.services.filter((s) => !s.deletedAt);
  for (const s of live) for (const state of SERVER_STATES) totals[state] += s.counts[state] ?? 0;
  const verdicts = live.map(verdictOf);
  // No service at all is not "all converged": a wrong prefix or URL must not look healthy to a scheduled job.
  const converged = verdicts.length > 0 && verdicts.every((v) => v.converged);
  return { ...snapshot, totals, verdicts, converged };
}
