import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLimiter } from "../../../../src/lib/reconcile/concurrency";
import { runInDependencyOrder } from "../../../../src/lib/reconcile/dependency-runner";
import type { ActionOutcome, PlannedActionBase } from "../../../../src/lib/reconcile/report";

/** Random DAGs: each action depends on a random subset of the earlier ones. */
const dagArbitrary = fc.integer({ min: 0, max: 14 }).chain((n) =>
  fc.tuple(
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.subarray(
          Array.from({ length: i }, (_, j) => j),
          { maxLength: Math.min(3, i) },
        ),
      ),
    ),
    fc.subarray(Array.from({ length: n }, (_, i) => i)),
    fc.array(fc.nat(3), { minLength: n, maxLength: n }),
    fc.integer({ min: 1, max: 4 }),
  ),
);

describe("runInDependencyOrder", () => {
  it("runs an action only after all its dependencies succeeded, skips exactly the dependants of failures, within the bound", async () => {
    await fc.assert(
      fc.asyncProperty(dagArbitrary, async ([deps, failing, delays, limit]) => {
        const actions: PlannedActionBase[] = deps.map((d, i) => ({
          id: `a${i}`,
          kind: "grantRole",
          dependsOn: d.map((j) => `a${j}`),
          description: `action ${i}`,
        }));
        const finished = new Map<string, ActionOutcome>();
        const bound = createLimiter(limit);
        let active = 0;
        let peak = 0;
        const outcomes = await runInDependencyOrder(actions, (action) =>
          bound(async () => {
            for (const d of action.dependsOn) expect(finished.get(d)?.status).toBe("succeeded");
            active += 1;
            peak = Math.max(peak, active);
            const index = Number(action.id.slice(1));
            await new Promise((r) => setTimeout(r, delays[index]));
            active -= 1;
            const outcome: ActionOutcome = {
              actionId: action.id,
              status: failing.includes(index) ? "failed" : "succeeded",
              attempts: 1,
              durationMs: 0,
            };
            finished.set(action.id, outcome);
            return outcome;
          }),
        );
        expect(peak).toBeLessThanOrEqual(limit);
        expect(outcomes.map((o) => o.actionId)).toEqual(actions.map((a) => a.id));
        outcomes.forEach((o, i) => {
          const blocked = deps[i]!.some((j) => outcomes[j]!.status !== "succeeded");
          expect(o.status === "skipped").toBe(blocked);
          if (!blocked) expect(o.status).toBe(failing.includes(i) ? "failed" : "succeeded");
          if (blocked) expect(o.skippedBecause).toMatch(/^a\d+ (failed|skipped)$/);
        });
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a dependency that does not come earlier, and skips everything once aborted", async () => {
    await expect(
      runInDependencyOrder([{ id: "a", kind: "grantRole", dependsOn: ["b"], description: "" }], () =>
        Promise.reject(new Error("ran")),
      ),
    ).rejects.toThrow("does not come before it");
    const aborted = new AbortController();
    aborted.abort();
    const outcomes = await runInDependencyOrder(
      [{ id: "a", kind: "grantRole", dependsOn: [], description: "" }],
      () => Promise.reject(new Error("ran")),
      {
        signal: aborted.signal,
      },
    );
    expect(outcomes[0]).toMatchObject({ status: "skipped", skippedBecause: "the run was aborted" });
  });
});
