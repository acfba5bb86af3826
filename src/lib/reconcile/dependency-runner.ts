import type { ActionOutcome, PlannedActionBase } from "./report";

/**
 * Runs actions in dependency order: each starts once all of its dependencies
 * succeeded or were already present; one whose dependency failed or was
 * skipped is skipped (saying which), and everything independent goes on.
 * Dependencies must point to earlier actions (plan guarantees it). The
 * concurrency bound is the caller's, inside `run`.
 */
export async function runInDependencyOrder<A extends PlannedActionBase>(
  actions: readonly A[],
  run: (action: A) => Promise<ActionOutcome>,
  options: { signal?: AbortSignal; onOutcome?: (outcome: ActionOutcome) => void } = {},
): Promise<ActionOutcome[]> {
  const outcomes = new Map<string, Promise<ActionOutcome>>();
  for (const action of actions) {
    const dependencies = action.dependsOn.map((id) => {
      const outcome = outcomes.get(id);
      if (!outcome) throw new Error(`action ${action.id} depends on ${id}, which does not come before it`);
      return outcome;
    });
    outcomes.set(
      action.id,
      Promise.all(dependencies)
        .then((done): ActionOutcome | Promise<ActionOutcome> => {
          const blocker = done.find((o) => o.status === "failed" || o.status === "skipped");
          if (blocker || options.signal?.aborted) {
            return {
              actionId: action.id,
              status: "skipped",
              attempts: 0,
              durationMs: 0,
              skippedBecause: blocker ? `${blocker.actionId} ${blocker.status}` : "the run was aborted",
            };
          }
          return run(action);
        })
        .then((outcome) => {
          options.onOutcome?.(outcome);
          return outcome;
        }),
    );
  }
  return Promise.all(actions.map((a) => outcomes.get(a.id) as Promise<ActionOutcome>));
}
