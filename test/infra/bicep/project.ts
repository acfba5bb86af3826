/**
 * All Bicep files under a directory, parsed, with the look-ups the infra
 * checks share: resources with their full type and API version, property
 * paths, and resolution of variable references (including compile-time
 * `import { x } from 'file.bicep'`).
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { BicepFile, ExprValue, ObjectValue, ResourceDecl, Statement, Value, VarDecl } from "./ast";
import { parseBicep } from "./parser";

export interface BicepSource {
  /** Path relative to the project root, with forward slashes (e.g. `infra/app/api.bicep`). */
  path: string;
  text: string;
  file: BicepFile;
}

export interface ResourceInfo {
  path: string;
  symbol: string;
  /** Full type, e.g. `Microsoft.Web/sites/config`. */
  type: string;
  apiVersion: string | undefined;
  existing: boolean;
  /** The resource body with `if`/`for` wrappers removed. */
  body: ObjectValue | undefined;
  declaration: ResourceDecl;
}

export class BicepProject {
  readonly sources: ReadonlyMap<string, BicepSource>;

  private constructor(sources: Map<string, BicepSource>) {
    this.sources = sources;
  }

  /** Parses every `.bicep` file below `dir`; paths are made relative to `root`. */
  static load(root: string, dir: string): BicepProject {
    const sources = new Map<string, BicepSource>();
    for (const absolute of listBicepFiles(join(root, dir))) {
      const path = relative(root, absolute).split("\\").join("/");
      const text = readFileSync(absolute, "utf8");
      try {
        sources.set(path, { path, text, file: parseBicep(text) });
      } catch (error) {
        throw new Error(`${path}: ${(error as Error).message}`);
      }
    }
    return new BicepProject(sources);
  }

  /** A project from in-memory files (path → Bicep text), for tests of the look-ups themselves. */
  static fromText(files: Record<string, string>): BicepProject {
    const sources = new Map<string, BicepSource>();
    for (const [path, text] of Object.entries(files)) sources.set(path, { path, text, file: parseBicep(text) });
    return new BicepProject(sources);
  }

  source(path: string): BicepSource {
    const found = this.sources.get(path);
    if (!found) throw new Error(`no Bicep file ${path}`);
    return found;
  }

  statements<K extends Statement["kind"]>(path: string, kind: K): Extract<Statement, { kind: K }>[] {
    return this.source(path).file.statements.filter((s): s is Extract<Statement, { kind: K }> => s.kind === kind);
  }

  resources(): ResourceInfo[] {
    const found: ResourceInfo[] = [];
    for (const { path, file } of this.sources.values()) {
      for (const statement of file.statements) {
        if (statement.kind === "resource") collectResource(path, statement, undefined, found);
      }
    }
    return found;
  }

  /** Resolves a module path written in `fromPath` to a project path. */
  resolvePath(fromPath: string, target: string): string {
    return posix.normalize(posix.join(posix.dirname(fromPath), target));
  }

  /**
   * Follows a reference such as `delegationCondition` or `builtInRoles.storageBlobDataOwner`
   * to the literal it names, through `var`s of the same file and exported vars of imported
   * files. Anything else (parameters, function calls, runtime values) comes back unchanged.
   */
  resolve(path: string, value: Value | undefined, depth = 0): Value | undefined {
    if (!value || value.kind !== "expr" || depth > 20) return value;
    const match = /^([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)$/.exec(value.text.trim());
    if (!match) return value;
    const [, head = "", rest = ""] = match;
    const declared = this.findVar(path, head);
    if (!declared) return value;
    let current = this.resolve(declared.path, declared.decl.value, depth + 1);
    for (const key of rest.split(".").filter((k) => k.length > 0)) {
      current = this.resolve(declared.path, property(current, key), depth + 1);
    }
    return current ?? value;
  }

  /** A `var` visible in `path` under `name`: declared there, or imported from an exporting file. */
  findVar(path: string, name: string): { path: string; decl: VarDecl } | undefined {
    const local = this.statements(path, "var").find((v) => v.name === name);
    if (local) return { path, decl: local };
    for (const imported of this.statements(path, "import")) {
      if (!imported.names.includes(name)) continue;
      const target = this.resolvePath(path, imported.from);
      const exported = this.statements(target, "var").find((v) => v.name === name && v.decorators.some((d) => d.name === "export"));
      if (exported) return { path: target, decl: exported };
    }
    return undefined;
  }
}

function collectResource(path: string, decl: ResourceDecl, parent: ResourceInfo | undefined, into: ResourceInfo[]): void {
  const [typePart = "", apiVersion] = decl.typeReference.split("@");
  // A child declared inside its parent's body names only its own segment and inherits the version.
  const type = parent && !typePart.includes("/") ? `${parent.type}/${typePart}` : typePart;
  const body = unwrap(decl.body);
  const info: ResourceInfo = {
    path,
    symbol: decl.symbol,
    type,
    apiVersion: apiVersion ?? (parent && !typePart.includes("/") ? parent.apiVersion : undefined),
    existing: decl.existing,
    body: body?.kind === "object" ? body : undefined,
    declaration: decl,
  };
  into.push(info);
  for (const child of info.body?.resources ?? []) collectResource(path, child, info, into);
}

/** An expression that names a variable, e.g. `reference("storageRoles")`, to `resolve` it. */
export function reference(name: string, line = 0): ExprValue {
  return { kind: "expr", text: name, children: [], line };
}

/** The value inside `if (...)` and `[for ...: ...]` wrappers. */
export function unwrap(value: Value | undefined): Value | undefined {
  if (value?.kind === "if" || value?.kind === "for") return unwrap(value.body);
  return value;
}

/** `property(v, "properties.functionAppConfig.runtime")`: undefined when any step is missing. */
export function property(value: Value | undefined, path: string): Value | undefined {
  let current = unwrap(value);
  for (const key of path.split(".")) {
    if (current?.kind !== "object") return undefined;
    current = unwrap(current.properties.find((p) => p.key === key)?.value);
  }
  return current;
}

/** The literal string of a value, or undefined when it is not a plain (non-interpolated) string. */
export function literal(value: Value | undefined): string | undefined {
  return value?.kind === "string" && !value.interpolated ? value.value : undefined;
}

/** Every value nested in `value` (itself included), depth first. */
export function* walk(value: Value | undefined): Generator<Value> {
  if (!value) return;
  yield value;
  switch (value.kind) {
    case "object":
      for (const p of value.properties) yield* walk(p.value);
      break;
    case "array":
      for (const item of value.items) yield* walk(item);
      break;
    case "expr":
      for (const child of value.children) yield* walk(child);
      break;
    case "for":
    case "if":
      yield* walk(value.body);
      break;
    case "string":
      break;
  }
}

function listBicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) return listBicepFiles(full);
      return entry.name.endsWith(".bicep") ? [full] : [];
    })
    .sort();
}

/** The repository root (this file is test/infra/bicep/project.ts). */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
