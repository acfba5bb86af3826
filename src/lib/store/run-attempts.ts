import type { RunAttempt, RunStatus } from "./rows";

/** How an attempt can end. */
export type AttemptEnd = Exclude<RunAttempt["status"], "running" | "interrupted">;

/** A run in one of these statuses is over: its record never changes again. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  "succeeded",
  "completedWithFailures",
  "dryRun",
  "failed",
  "poisoned",
];

export const isFinalRunStatus = (status: RunStatus | AttemptEnd | undefined): boolean =>
  status !== undefined && (FINAL_RUN_STATUSES as readonly string[]).includes(status);

/**
 * The attempts after a new one starts: an attempt still `running` was
 * interrupted (its worker died or lost the message; a later delivery found
 * it unfinished).
 */
export function startAttempt(
  previous: readonly RunAttempt[],
  next: Pick<RunAttempt, "attempt" | "worker" | "startedAt">,
): RunAttempt[] {
  return [
    ...previous.map((a) => (a.status === "running" ? { ...a, status: "interrupted" as const } : a)),
    { ...next, status: "running" },
  ];
}

/** The attempts after the latest one ended with `status` (and its error, if any). */
export function finishAttempt(
  attempts: readonly RunAttempt[],
  end: { status: AttemptEnd; finishedAt: string; error?: string; errorCode?: string },
): RunAttempt[] {
  const last = attempts.at(-1);
  if (!last) return [];
  const { error: _error, errorCode: _code, ...rest } = last;
  return [
    ...attempts.slice(0, -1),
    {
      ...rest,
      status: end.status,
      finishedAt: end.finishedAt,
      ...(end.error ? { error: end.error } : {}),
      ...(end.errorCode ? { errorCode: end.errorCode } : {}),
    },
  ];
}
