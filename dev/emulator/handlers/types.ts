import type { SpecOperation } from "../../../src/lib/spec/catalog";
import type { EmulatorCore } from "../core";

/** What a handler sees of one ARM request (already routed, validated and authorized). */
export interface HandlerContext {
  core: EmulatorCore;
  method: string;
  /** Normalised path (single slashes, no trailing slash). */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  params: Record<string, string>;
  operation: SpecOperation;
  apiVersion: string;
  callerOid: string;
  correlationId: string;
}

/** A resource write that succeeded: raises a ResourceWriteSuccess event. */
export interface WrittenResource {
  resourceUri: string;
  method: string;
}

export interface Reply {
  kind: "reply";
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  written?: WrittenResource[];
}

/**
 * A long-running write: `apply` makes the change and returns the final
 * answer. Answered at once (lroMode "sync") or with 202 and applied when the
 * operation completes (lroMode "async").
 */
export interface LongRunningWrite {
  kind: "lro";
  resourceId: string;
  subscriptionId: string;
  location: string;
  apply: () => Reply;
}

export type HandlerResult = Reply | LongRunningWrite;

export type Handler = (ctx: HandlerContext) => HandlerResult;

export const reply = (status: number, body?: unknown, written?: WrittenResource[]): Reply => ({
  kind: "reply",
  status,
  body,
  written,
});

/** `{"value":[…]}`, the one-page list shape of every list operation here. */
export const listReply = (items: unknown[]): Reply => reply(200, { value: items });

/** Reads a property case-insensitively, as ARM's deserializers bind names. */
export function prop(object: unknown, name: string): unknown {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined;
  const record = object as Record<string, unknown>;
  if (name in record) return record[name];
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

export function objectProp(object: unknown, name: string): Record<string, unknown> | undefined {
  const v = prop(object, name);
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function stringProp(object: unknown, name: string): string | undefined {
  const v = prop(object, name);
  return typeof v === "string" ? v : undefined;
}
