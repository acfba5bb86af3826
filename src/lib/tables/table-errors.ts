import { RestError } from "@azure/core-rest-pipeline";

/** HTTP status of a storage error, if it is one. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof RestError) return error.statusCode;
  if (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === "number"
  ) {
    return (error as { statusCode: number }).statusCode;
  }
  return undefined;
}

export const isConflict = (e: unknown): boolean => statusOf(e) === 409;
export const isNotFound = (e: unknown): boolean => statusOf(e) === 404;
/** 412: someone else wrote the entity since we read it (ETag mismatch). */
export const isPreconditionFailed = (e: unknown): boolean => statusOf(e) === 412;
