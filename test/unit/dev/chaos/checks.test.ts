import { describe, expect, it } from "vitest";
import {
  auditWithoutWrite,
  duplicateAssignments,
  requestsLost,
  unresolvedIntents,
  writesUndoneByOthers,
  writesWithoutAudit,
  type AppliedWrite,
  type JournalEntry,
} from "../../../../dev/chaos/checks";
import type { WriteStatus } from "../../../../src/lib/store/rows";

const write = (seq: number, clientRequestId: string | null, path = `/subscriptions/s/x/${seq}`): AppliedWrite => ({
  seq,
  at: "2026-01-01T00:00:00Z",
  method: "PUT",
  path,
  kind: "RoleAssignments_Create",
  clientRequestId,
  requestId: `r${seq}`,
  status: 201,
});
const row = (clientRequestId: string, status: WriteStatus): JournalEntry => ({
  serviceId: "/s",
  runId: "run1",
  attempt: 1,
  kind: "grantRole",
  target: `/t/${clientRequestId}`,
  clientRequestId,
  status,
});

describe("chaos checks", () => {
  it("a request is lost unless its run reached a final status", () => {
    const statuses = new Map<string, string | undefined>([
      ["a", "succeeded"],
      ["b", "running"],
      ["c", "poisoned"],
      ["d", undefined],
    ]);
    expect(requestsLost(["a", "b", "c", "d", "e", "a"], statuses)).toEqual([
      "b: running",
      "d: not found",
      "e: not found",
    ]);
  });

  it("counts assignments of one principal, role and scope beyond the first, whatever the case", () => {
    const a = { principalId: "P", roleDefinitionId: "/x/roleDefinitions/R", scope: "/S" };
    expect(
      duplicateAssignments([
        a,
        { ...a, principalId: "p", scope: "/s" },
        { ...a, roleDefinitionId: "/y/roleDefinitions/Q" },
      ]),
    ).toEqual(["p|r|/s x2"]);
  });

  it("an ARM write (its retries grouped by client request id) needs an intended or applied journal row", () => {
    const writes = [write(1, "A"), write(2, "a"), write(3, "B"), write(4, "C"), write(5, null)];
    const journal = [row("A", "applied"), row("B", "intended"), row("C", "failed")];
    expect(writesWithoutAudit(writes, journal)).toEqual([
      "PUT /subscriptions/s/x/4 (client request id C)",
      "PUT /subscriptions/s/x/5 (client request id none)",
    ]);
  });

  it("a write journaled notApplied whose assignment someone else deleted after it landed is counted apart, not as unaudited", () => {
    const landed = { ...write(1, "A"), at: "2026-01-01T00:00:01Z" };
    const journal = [row("A", "notApplied")];
    const deletedAfter = [{ target: landed.path.toUpperCase(), at: "2026-01-01T00:00:02Z" }];
    expect(writesUndoneByOthers([landed], journal, deletedAfter)).toEqual([
      "PUT /subscriptions/s/x/1 (client request id A)",
    ]);
    expect(writesWithoutAudit([landed], journal, deletedAfter)).toEqual([]);
    // Deleted before the write landed, or not deleted at all: the write needed a claiming row.
    const deletedBefore = [{ target: landed.path, at: "2026-01-01T00:00:00Z" }];
    expect(writesUndoneByOthers([landed], journal, deletedBefore)).toEqual([]);
    expect(writesWithoutAudit([landed], journal, deletedBefore)).toHaveLength(1);
    // Only a notApplied row is excused: a failed one says ARM refused the write.
    expect(writesWithoutAudit([landed], [row("A", "failed")], deletedAfter)).toHaveLength(1);
  });

  it("an applied journal row needs an ARM write of its client request id; other statuses claim nothing", () => {
    const journal = [row("A", "applied"), row("B", "applied"), row("C", "notApplied"), row("D", "alreadyPresent")];
    expect(auditWithoutWrite([write(1, "a")], journal)).toEqual([
      "grantRole /t/B (run run1 attempt 1, client request id B)",
    ]);
  });

  it("intended rows left are unresolved", () => {
    expect(unresolvedIntents([row("A", "intended"), row("B", "applied")])).toEqual([
      "grantRole /t/A (run run1 attempt 1)",
    ]);
  });
});
