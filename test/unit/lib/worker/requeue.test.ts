import { describe, expect, it } from "vitest";
import { decideFollowUps, engineHintsOf, newServerIds } from "../../../../src/lib/worker/requeue";
import type { ReconcileRequest } from "../../../../src/lib/queue/messages";
import type { ActionOutcome, ReconcileReport, ServerVerdict } from "../../../../src/lib/reconcile/report";
import { remedyFor } from "../../../../src/lib/reconcile/remedies";

const SERVICE =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";
const policy = { recheckDelaysMs: [10_000, 60_000], minAgentVersion: "17.0.0.0" };
const request = (over: Partial<ReconcileRequest> = {}): ReconcileRequest => ({
  v: 1,
  kind: "reconcile",
  serviceId: SERVICE,
  runId: `${"a".repeat(32)}-0000000000001-0000abcd`,
  dryRun: false,
  trigger: { kind: "timer", timer: "fullSweep" },
  requestedAt: "2026-01-01T00:00:00Z",
  ...over,
});
const server = (serverId: string, state: ServerVerdict["state"], agentVersion = "18.0.0.0"): ServerVerdict => ({
  serverId,
  resourceId: `${SERVICE}/registeredServers/${serverId}`,
  name: serverId,
  state,
  reason: "",
  agentVersion,
  switchedThisRun: false,
});
const failed = (error: ActionOutcome["error"]): ActionOutcome => ({
  actionId: "grant:x",
  status: "failed",
  attempts: 1,
  durationMs: 1,
  error,
});
const report = (over: Partial<ReconcileReport> = {}): ReconcileReport => ({
  serviceId: SERVICE,
  dryRun: false,
  startedAt: "",
  finishedAt: "",
  service: { serviceId: SERVICE, useIdentity: true },
  plan: [],
  outcomes: [],
  servers: [],
  armCalls: { reads: 0, writes: 0 },
  converged: true,
  warnings: [],
  ...over,
});

describe("decideFollowUps (requeue as a value)", () => {
  it("asks for nothing when nothing failed and no new server waits for an identity", () => {
    expect(
      decideFollowUps(request(), report({ servers: [server("s1", "Active")] }), { serverIds: ["s1"] }, policy),
    ).toEqual([]);
  });

  it("retries throttling, network failures and PrincipalNotFound after the first delay, without coalescing", () => {
    for (const error of [
      { code: "TooManyRequests", message: "slow down", statusCode: 429 },
      { code: "ECONNRESET", message: "socket hang up" },
      { code: "PrincipalNotFound", message: "not yet", statusCode: 400 },
    ]) {
      const [look] = decideFollowUps(request(), report({ outcomes: [failed(error)] }), { serverIds: [] }, policy);
      expect(look?.kind).toBe("requeue");
      if (look?.kind !== "requeue") continue;
      expect(look.ask).toMatchObject({ delayMs: 10_000, coalesce: false, trigger: { kind: "retry", attempt: 0 } });
      expect(look.describe("RUN")).toBe(`retry 1 in 10 s (run RUN): 1 action(s) failed transiently: ${error.code}`);
    }
  });

  it("does not retry an error that has no HTTP status and is no network failure, and does not call it throttling", () => {
    const error = { code: "TypeError", message: "cannot read properties of undefined" };
    expect(decideFollowUps(request(), report({ outcomes: [failed(error)] }), { serverIds: [] }, policy)).toEqual([]);
    expect(remedyFor(error, { kind: "grantServer" })).not.toMatch(/throttled/);
    expect(remedyFor({ code: "ETIMEDOUT", message: "timed out" }, { kind: "grantServer" })).toMatch(/throttled/);
  });

  it("waits for a newly registered server without an identity; a service's first run has no new servers", () => {
    const seen = report({
      servers: [server("s1", "Active"), server("s2", "NoIdentity"), server("s3", "NoIdentity", "16.0.0.0")],
    });
    expect(newServerIds(seen, { serverIds: [] })).toEqual([]);
    expect(newServerIds(seen, { serverIds: ["S1"] })).toEqual(["s2", "s3"]);
    const [look] = decideFollowUps(request(), seen, { serverIds: ["s1"] }, policy);
    expect(look?.kind === "requeue" && look.ask.trigger).toMatchObject({ kind: "retry", waitingFor: ["s2"] });
  });

  it("gives up with a note once the delays run out", () => {
    const last = request({
      trigger: { kind: "retry", previousRunId: "r", attempt: 1, reason: "x", waitingFor: ["s2"] },
    });
    expect(
      decideFollowUps(last, report({ servers: [server("s2", "NoIdentity")] }), { serverIds: ["s1"] }, policy),
    ).toEqual([
      {
        kind: "note",
        gaveUp: true,
        text: "gave up retrying after 2 retries: 1 new server(s) without a reported identity yet",
      },
    ]);
  });

  it("re-checks a watched machine with the next delay until its identity is reported", () => {
    const principalId = "33333333-3333-4333-8333-333333333333";
    const watching = request({ discovery: [{ machineId: "/m", principalId, attempt: 0 }] });
    const [look] = decideFollowUps(watching, report(), { serverIds: [] }, policy);
    expect(look?.kind === "requeue" && look.ask).toMatchObject({
      delayMs: 60_000,
      discovery: [{ attempt: 1 }],
      trigger: { kind: "discovery", attempt: 1 },
    });
    const found = report({ servers: [{ ...server("s9", "Eligible"), principalId }] });
    expect(decideFollowUps(watching, found, { serverIds: [] }, policy)).toEqual([
      { kind: "note", gaveUp: false, text: `identity ${principalId} of /m reported by server s9` },
    ]);
  });

  it("a retry of a run that re-sent overdue switches carries the ones that did not go out, and is not coalesced", () => {
    const overdue = request({
      overdue: ["s1", "s2"],
      trigger: { kind: "timer", timer: "activationCheck", reason: "server s1 overdue" },
    });
    const outcome = report({
      servers: [{ ...server("s1", "Switched"), switchedThisRun: true }, server("s2", "Switched")],
      outcomes: [failed({ code: "TooManyRequests", message: "slow down", statusCode: 429 })],
    });
    const [look] = decideFollowUps(overdue, outcome, { serverIds: ["s1", "s2"] }, policy);
    expect(look?.kind === "requeue" && look.ask).toMatchObject({ overdue: ["s2"], coalesce: false });
    const allSent = report({ ...outcome, servers: [{ ...server("s1", "Switched"), switchedThisRun: true }] });
    const [retry] = decideFollowUps(request({ overdue: ["s1"] }), allSent, { serverIds: ["s1"] }, policy);
    expect(retry?.kind === "requeue" && "overdue" in retry.ask).toBe(false);
  });
});

describe("engineHintsOf (what a request tells the engine)", () => {
  const principalId = "33333333-3333-4333-8333-333333333333";
  const previousPrincipalId = "44444444-4444-4444-8444-444444444444";

  it("has nothing to say for a plain request", () => {
    expect(engineHintsOf(request())).toBeUndefined();
  });

  it("turns discovery watches into identity changes and overdue servers into re-sends", () => {
    const watched = request({
      discovery: [
        { machineId: "/m", principalId, attempt: 2, previousPrincipalId, hostNames: ["fs01"], status: "Disconnected" },
      ],
      overdue: ["s1"],
    });
    expect(engineHintsOf(watched)).toEqual({
      identityChanges: [
        { machineId: "/m", principalId, previousPrincipalId, hostNames: ["fs01"], status: "Disconnected" },
      ],
      overdueServerIds: ["s1"],
    });
    expect(engineHintsOf(request({ discovery: [{ machineId: "/m", principalId, attempt: 0 }] }))).toEqual({
      identityChanges: [{ machineId: "/m", principalId, hostNames: [] }],
    });
  });
});
