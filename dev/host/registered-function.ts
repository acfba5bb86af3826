import type { InvocationContext } from "@azure/functions";

/**
 * What the real Functions worker receives from `@azure/functions` for one
 * function: `coreApi.registerFunction(metadata, handler)`. The types mirror
 * `@azure/functions-core` (which ships no typings outside the worker).
 */

/** One binding as `toCoreFunctionMetadata` emits it: the options the app gave, plus type and direction. */
export interface BindingInfo {
  type: string;
  direction: "in" | "out" | "inout";
  name?: string;
  [field: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingInfo>;
  retryOptions?: Record<string, unknown>;
}

/** The trigger binding, with its binding name (the key in `metadata.bindings`). */
export interface TriggerBinding {
  bindingName: string;
  type: string;
  [field: string]: unknown;
}

/** The user's handler exactly as registered: trigger input first, context last. */
export type FunctionHandler = (input: unknown, context: InvocationContext) => Promise<unknown> | unknown;

export interface RegisteredFunction {
  name: string;
  metadata: FunctionMetadata;
  trigger: TriggerBinding;
  handler: (input: unknown, context: InvocationContext) => Promise<unknown>;
}
