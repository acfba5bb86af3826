/**
 * The chaos run's verdicts, as pure functions of what it observed at the end:
 * the emulator's applied-write log and role assignments, the app's ARM write
 * journal and run records. Each returns the offending items (their count is
 * the figure printed), so a failure names what went wrong.
 */
import type { AppliedWrite } from "../emulator/applied-writes";
import { claimsWrite, type WriteRecord } from "../../src/lib/store/rows";

export type { AppliedWrite } from "../emulator/applied-writes";

/** The columns of a journal row (`<prefix>Writes`) the checks read. */
export type JournalEntry = Pick<
  WriteRecord,
  "serviceId" | "runId" | "attempt" | "kind" | "target" | "clientRequestId" | "status"
> &
  Partial<Pick<WriteRecord, "intendedAt" | "finishedAt" | "resolvedBy" | "leaseGeneration">>;

/** A role assignment someone other than the product deleted during the run (the deleteGrant step), and when. */
export interface OutsideDeletion {
  target: string;
  at: string;
}

export interface AssignmentFacts {
  principalId: string;
  roleDefinitionId: string;
  scope: string;
}

/** Run statuses that never change again. */
export const FINAL_RUN_STATUSES: ReadonlySet<string> = new Set([
  "succeeded",
  "completedWithFailures",
  "dryRun",
  "failed",
  "poisoned",
]);

/** Accepted run ids whose run did not reach a final status ("runId: status", or "not found"). */
export function requestsLost(accepted: Iterable<string>, statusOf: ReadonlyMap<string, string | undefined>): string[] {
  const lost: string[] = [];
  for (const runId of new Set(accepted)) {
    const status = statusOf.get(runId);
    if (status === undefined || !FINAL_RUN_STATUSES.has(status)) lost.push(`${runId}: ${status ?? "not found"}`);
  }
  return lost;
}

/** Assignments of the same principal, role and scope beyond the first. */
export function duplicateAssignments(assignments: Iterable<AssignmentFacts>): string[] {
  const seen = new Map<string, number>();
  for (const a of assignments) {
    const key = `${a.principalId}|${a.roleDefinitionId.split("/").pop() ?? ""}|${a.scope}`.toLowerCase();
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`);
}

/**
 * ARM writes (grouped by client request id: the SDK's retries of one write
 * share it) that no journal row claims. A write with no client request id
 * cannot be matched and counts. Writes that writesUndoneByOthers explains are
 * not counted here.
 */
export function writesWithoutAudit(
  writes: Iterable<AppliedWrite>,
  journal: Iterable<JournalEntry>,
  deletions: readonly OutsideDeletion[] = [],
): string[] {
  const rows = [...journal];
  const claimed = new Set<string>();
  for (const row of rows) if (claimsWrite(row.status)) claimed.add(row.clientRequestId.toLowerCase());
  const undone = new Set(writesUndoneByOthers(writes, rows, deletions));
  const missing = new Map<string, string>();
  for (const w of writes) {
    const key = w.clientRequestId?.toLowerCase();
    if (key !== undefined && claimed.has(key)) continue;
    const line = `${w.method} ${w.path} (client request id ${w.clientRequestId ?? "none"})`;
    if (!undone.has(line)) missing.set(key ?? `seq ${w.seq}`, line);
  }
  return [...missing.values()];
}

/**
 * Writes of an interrupted attempt that ARM applied, that someone else undid
 * (deleted the assignment) before a later run looked, and that the journal
 * therefore records as notApplied ("not in effect when looked at"). ARM's
 * state no longer shows them; only the Activity Log does. Counted apart, not
 * as a failure: no reading of ARM's state can tell them.
 */
export function writesUndoneByOthers(
  writes: Iterable<AppliedWrite>,
  journal: Iterable<JournalEntry>,
  deletions: readonly OutsideDeletion[],
): string[] {
  const notApplied = new Set<string>();
  for (const row of journal) if (row.status === "notApplied") notApplied.add(row.clientRequestId.toLowerCase());
  const out: string[] = [];
  for (const w of writes) {
    const key = w.clientRequestId?.toLowerCase();
    if (key === undefined || !notApplied.has(key)) continue;
    const deletedAfter = deletions.some(
      (d) => d.target.toLowerCase() === w.path.toLowerCase() && Date.parse(d.at) >= Date.parse(w.at),
    );
    if (deletedAfter) out.push(`${w.method} ${w.path} (client request id ${w.clientRequestId ?? "none"})`);
  }
  return out;
}

/** Every journal row and applied ARM write of one target, in time order: what a failed check shows. */
export function historyOf(target: string, writes: Iterable<AppliedWrite>, journal: Iterable<JournalEntry>): string[] {
  const t = target.toLowerCase();
  const lines: { at: string; line: string }[] = [];
  for (const w of writes)
    if (w.path.toLowerCase() === t)
      lines.push({
        at: w.at,
        line: `${w.at} ARM applied ${w.method} (client request id ${w.clientRequestId ?? "none"})`,
      });
  for (const r of journal)
    if (r.target.toLowerCase() === t)
      lines.push({
        at: r.intendedAt ?? "",
        line: `${r.intendedAt ?? "?"} journal ${r.kind} ${r.status} (run ${r.runId} attempt ${r.attempt}, generation ${r.leaseGeneration ?? "-"}, client request id ${r.clientRequestId}${r.resolvedBy ? `, resolved by ${r.resolvedBy} at ${r.finishedAt ?? "?"}` : r.finishedAt ? `, finished ${r.finishedAt}` : ""})`,
      });
  return lines.sort((a, b) => a.at.localeCompare(b.at)).map((l) => l.line);
}

/** Journal rows that say `applied` for a client request id the emulator never applied. */
export function auditWithoutWrite(writes: Iterable<AppliedWrite>, journal: Iterable<JournalEntry>): string[] {
  const applied = new Set<string>();
  for (const w of writes) if (w.clientRequestId) applied.add(w.clientRequestId.toLowerCase());
  const out: string[] = [];
  for (const row of journal) {
    if (row.status === "applied" && !applied.has(row.clientRequestId.toLowerCase()))
      out.push(
        `${row.kind} ${row.target} (run ${row.runId} attempt ${row.attempt}, client request id ${row.clientRequestId})`,
      );
  }
  return out;
}

/** Journal rows still `intended` (an interrupted write nobody resolved). */
export function unresolvedIntents(journal: Iterable<JournalEntry>): string[] {
  const out: string[] = [];
  for (const row of journal)
    if (row.status === "intended") out.push(`${row.kind} ${row.target} (run ${row.runId} attempt ${row.attempt})`);
  return out;
}
