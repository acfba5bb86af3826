import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { finishAttempt, isFinalRunStatus, startAttempt, type AttemptEnd } from "../../../../src/lib/store/run-attempts";
import type { RunAttempt } from "../../../../src/lib/store/rows";

const ENDS: AttemptEnd[] = ["succeeded", "completedWithFailures", "dryRun", "retrying", "failed", "poisoned"];
const start = (n: number): Pick<RunAttempt, "attempt" | "worker" | "startedAt"> => ({
  attempt: n,
  worker: `w${n}`,
  startedAt: `2026-01-01T00:00:0${n % 10}.000Z`,
});

describe("attempt bookkeeping", () => {
  it("any sequence of starts and ends keeps one entry per start, at most the last running, earlier unfinished ones interrupted, and the last end's error only on its own attempt", () => {
    const step = fc.oneof(
      fc.constant({ kind: "start" as const }),
      fc.record({
        kind: fc.constant("end" as const),
        status: fc.constantFrom(...ENDS),
        error: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        let attempts: RunAttempt[] = [];
        let starts = 0;
        for (const s of steps) {
          if (s.kind === "start") attempts = startAttempt(attempts, start(++starts));
          else
            attempts = finishAttempt(attempts, {
              status: s.status,
              finishedAt: "2026-01-01T00:01:00.000Z",
              error: s.error,
            });
        }
        expect(attempts).toHaveLength(starts);
        expect(attempts.slice(0, -1).every((a) => a.status !== "running")).toBe(true);
        const last = steps.at(-1);
        if (last?.kind === "end" && attempts.length > 0) {
          expect(attempts.at(-1)?.status).toBe(last.status);
          expect(attempts.at(-1)?.error).toBe(last.error);
        }
      }),
    );
  });

  it("a start finds the attempt a killed host left running and marks it interrupted", () => {
    const first = startAttempt([], start(1));
    const second = startAttempt(first, start(2));
    expect(second.map((a) => [a.attempt, a.status])).toEqual([
      [1, "interrupted"],
      [2, "running"],
    ]);
    const done = finishAttempt(
      finishAttempt(second, { status: "retrying", finishedAt: "x", error: "boom", errorCode: "E" }),
      {
        status: "succeeded",
        finishedAt: "y",
      },
    );
    expect(done.at(-1)).toEqual({ ...start(2), status: "succeeded", finishedAt: "y" });
  });

  it("final statuses are the ones a redelivery must not reopen", () => {
    expect(
      ["succeeded", "completedWithFailures", "dryRun", "failed", "poisoned"].every((s) =>
        isFinalRunStatus(s as AttemptEnd),
      ),
    ).toBe(true);
    expect(
      ["queued", "running", "retrying", undefined].some((s) => isFinalRunStatus(s as AttemptEnd | undefined)),
    ).toBe(false);
  });
});
