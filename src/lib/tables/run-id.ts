import { randomBytes } from "node:crypto";
import { resourceKey } from "./keys";

/**
 * A run id names its service's partition and a row key that sorts newest
 * first, so "one run's audit record" is a point read and "the runs of one
 * service" is one partition scan in time order.
 */
const MAX_MS = 9_999_999_999_999;
export const RUN_ID = /^([0-9a-f]{32})-(\d{13}-[0-9a-f]{8})$/;

export interface RunKeys {
  partitionKey: string;
  rowKey: string;
}

/** A row key that sorts newest first: 13 digits of (max time − now), plus a random suffix against collisions. */
export function invertedTimeKey(now: Date): string {
  return `${String(MAX_MS - now.getTime()).padStart(13, "0")}-${randomBytes(4).toString("hex")}`;
}

export function newRunId(serviceId: string, now: Date = new Date()): string {
  return `${resourceKey(serviceId)}-${invertedTimeKey(now)}`;
}

/** Splits a run id into its table keys; undefined when it is not one of ours. */
export function parseRunId(runId: string): RunKeys | undefined {
  const match = RUN_ID.exec(runId);
  if (!match) return undefined;
  return { partitionKey: match[1] as string, rowKey: match[2] as string };
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}
