import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import Module from "node:module";
import path from "node:path";
import { registerHook, type HookCallback } from "./hooks";
import type {
  BindingInfo,
  FunctionHandler,
  FunctionMetadata,
  RegisteredFunction,
  TriggerBinding,
} from "./registered-function";

export type { BindingInfo, FunctionMetadata, RegisteredFunction, TriggerBinding } from "./registered-function";

/**
 * Loads an app's function files the way the Azure Functions Node.js worker
 * does: `@azure/functions` requires `@azure/functions-core` (a module only the
 * worker provides) and calls `registerFunction(metadata, handler)` on it for
 * every `app.http/eventGrid/storageQueue/timer(...)`. We provide a stand-in
 * for that module and record the calls.
 *
 * `@azure/functions` caches the core module on first use, so the stand-in is
 * installed once per process and routes registrations to whichever capture is
 * running.
 */

const CORE_MODULE = "@azure/functions-core";

type Sink = (metadata: FunctionMetadata, handler: FunctionHandler) => void;
let activeSink: Sink | undefined;

interface Disposable {
  dispose(): void;
}

/** The subset of the worker's core API that `@azure/functions` 4.x calls. */
const coreStandIn = {
  version: "local-host",
  setProgrammingModel(_model: unknown): void {},
  getProgrammingModel(): undefined {
    return undefined;
  },
  registerFunction(metadata: FunctionMetadata, handler: FunctionHandler): Disposable {
    if (!activeSink) {
      throw new Error(`function "${metadata.name}" registered outside captureRegistrations()`);
    }
    activeSink(metadata, handler);
    return { dispose() {} };
  },
  registerHook(hookName: string, callback: HookCallback): Disposable {
    return registerHook(hookName, callback);
  },
  log(level: string, category: string, message: string): void {
    if (level === "error" || level === "critical" || level === "warning") {
      console.error(`[functions-core ${category}] ${level}: ${message}`);
    }
  },
};

interface ModuleLoader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

let installed = false;
function installCoreStandIn(): void {
  if (installed) return;
  const loader = Module as unknown as ModuleLoader;
  const originalLoad = loader._load.bind(loader);
  loader._load = (request, parent, isMain) =>
    request === CORE_MODULE ? coreStandIn : originalLoad(request, parent, isMain);
  installed = true;
}

let unregisterTs: (() => void) | undefined;
/** Function files may be TypeScript sources (contract tests): compile them on require with tsx. */
function enableTypeScript(): void {
  if (unregisterTs) return;
  const localRequire = Module.createRequire(__filename);
  const tsx = localRequire("tsx/cjs/api") as { register: () => () => void };
  unregisterTs = tsx.register();
}

const TRIGGER_SUFFIX = /trigger$/i;

function toRegisteredFunction(metadata: FunctionMetadata, handler: FunctionHandler): RegisteredFunction {
  const triggers = Object.entries(metadata.bindings).filter(
    ([, binding]: [string, BindingInfo]) => binding.direction === "in" && TRIGGER_SUFFIX.test(binding.type),
  );
  const first = triggers[0];
  if (!first || triggers.length > 1) {
    throw new Error(`function "${metadata.name}" must have exactly one trigger binding, found ${triggers.length}`);
  }
  const [bindingName, binding] = first;
  const trigger: TriggerBinding = { ...binding, bindingName, type: binding.type };
  return {
    name: metadata.name,
    metadata,
    trigger,
    handler: async (input, context) => handler(input, context),
  };
}

/**
 * Requires each file (absolute paths, `.js` or `.ts`) and returns every
 * function registered while doing so. Files are re-required on each call, so
 * a process may capture the same app more than once.
 */
export function captureRegistrations(files: string[]): RegisteredFunction[] {
  installCoreStandIn();
  if (files.some((f) => /\.(c|m)?ts$/.test(f))) enableTypeScript();
  const captured: RegisteredFunction[] = [];
  const seen = new Set<string>();
  const absolute = files.map((f) => path.resolve(f));
  for (const file of absolute) delete Module.createRequire(file).cache[file];
  activeSink = (metadata, handler) => {
    if (seen.has(metadata.name)) throw new Error(`function name "${metadata.name}" is registered twice`);
    seen.add(metadata.name);
    captured.push(toRegisteredFunction(metadata, handler));
  };
  try {
    for (const file of absolute) {
      try {
        Module.createRequire(file)(file);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`loading ${file} failed: ${reason}`, { cause: error });
      }
    }
  } finally {
    activeSink = undefined;
  }
  if (files.length > 0 && captured.length === 0) {
    throw new Error(
      `no function was registered by ${files.join(", ")}: do the files call app.*(), and was "@azure/functions" used before the capture was installed?`,
    );
  }
  return captured;
}

/** `{a,b}` alternatives, as the Functions host's glob reads them (e.g. "dist/{index.js,functions/*.js}"). */
export function expandBraces(pattern: string): string[] {
  const match = /\{([^{}]*)\}/.exec(pattern);
  if (!match) return [pattern];
  const [whole, inner = ""] = match;
  return inner
    .split(",")
    .flatMap((alt) => expandBraces(pattern.slice(0, match.index) + alt + pattern.slice(match.index + whole.length)));
}

/** Expands a package.json `main` glob (`*` within a segment, `**` across segments) relative to dir. */
function expandGlob(dir: string, segments: string[]): string[] {
  const [head, ...rest] = segments;
  if (head === undefined) return [];
  if (head === "**") {
    const here = expandGlob(dir, rest);
    const below = listDir(dir)
      .filter((name) => isDirectory(path.join(dir, name)))
      .flatMap((name) => expandGlob(path.join(dir, name), segments));
    return [...here, ...below];
  }
  const matcher = new RegExp(`^${head.split("*").map(escapeRegExp).join("[^/]*")}$`);
  const names = head.includes("*") ? listDir(dir).filter((name) => matcher.test(name)) : [head];
  return names.flatMap((name) => {
    const full = path.join(dir, name);
    if (rest.length === 0) return existsSync(full) && !isDirectory(full) ? [full] : [];
    return isDirectory(full) ? expandGlob(full, rest) : [];
  });
}

function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** The files the Functions worker would load for the app in projectDir: package.json `main`, glob expanded. */
export function resolveMainFiles(projectDir: string): string[] {
  const manifestPath = path.join(projectDir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { main?: unknown };
  if (typeof manifest.main !== "string" || manifest.main.trim() === "") {
    throw new Error(`${manifestPath} has no "main" naming the function files (e.g. "dist/functions/*.js")`);
  }
  const files = [
    ...new Set(
      expandBraces(manifest.main).flatMap((pattern) =>
        expandGlob(
          path.resolve(projectDir),
          pattern.split(/[\\/]+/).filter((s) => s !== "" && s !== "."),
        ),
      ),
    ),
  ];
  if (files.length === 0) {
    throw new Error(
      `package.json "main" (${manifest.main}) matches no file in ${projectDir}: build the app first (npm run build)`,
    );
  }
  return files;
}
