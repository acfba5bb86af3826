/**
 * Hooks registered with `app.hook.*` (appStart, appTerminate, preInvocation,
 * postInvocation). In the worker they are process-wide, not per function, so
 * the registry is too. `@azure/functions` wraps each user handler in a
 * callback that builds its public context class from the plain object we
 * pass, and writes changes (inputs, functionHandler, result, error) back into
 * that same object, which is how the host reads them afterwards.
 */

export type HookName = "appStart" | "appTerminate" | "preInvocation" | "postInvocation";
export type HookCallback = (context: Record<string, unknown>) => unknown;

const registry = new Map<string, HookCallback[]>();

export function registerHook(name: string, callback: HookCallback): { dispose(): void } {
  registry.set(name, [...(registry.get(name) ?? []), callback]);
  return {
    dispose() {
      registry.set(
        name,
        (registry.get(name) ?? []).filter((c) => c !== callback),
      );
    },
  };
}

export function hooksFor(name: HookName): readonly HookCallback[] {
  return registry.get(name) ?? [];
}

/** Runs every hook of this name in registration order, awaiting each, on the same context object. */
export async function runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
  for (const hook of hooksFor(name)) await hook(context);
}
