import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { SpecCatalog, SpecOperation } from "./catalog";

/**
 * The spec's example files turned into HTTP requests, for tests that check
 * the catalog (every example must validate) and the emulator (every example
 * replays). Examples referenced by `x-ms-examples` belong to their operation;
 * other files under an `examples` folder belong to the operation named like
 * the file (Machines_Get.json → Machines_Get), if there is one.
 */
export interface SpecExample {
  operationId: string;
  operation: SpecOperation;
  file: string;
  method: string;
  /** Path as an ARM SDK would send it (scopes joined raw, hence sometimes `//subscriptions`). */
  path: string;
  apiVersion: string;
  /** The request body, if the example has one. */
  body: unknown;
  /** Example path parameters, with placeholders like "{subscriptionId}" replaced by a GUID. */
  parameters: Record<string, string>;
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

/** Stands in for placeholder subscription ids such as "{subscriptionId}". */
export const PLACEHOLDER_SUBSCRIPTION_ID = "00000000-0000-0000-0000-0000000000aa";

interface ExampleFile {
  parameters?: Record<string, unknown>;
  responses?: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

export function loadSpecExamples(catalog: SpecCatalog): SpecExample[] {
  const owners = new Map<string, string>();
  for (const op of catalog.operations()) {
    for (const file of catalog.examplesOf(op.operationId)) if (!owners.has(file)) owners.set(file, op.operationId);
  }
  for (const file of walk(catalog.specsDir).filter(
    (f) => f.split(path.sep).includes("examples") && f.endsWith(".json"),
  )) {
    const byName = path.basename(file, ".json");
    if (!owners.has(file) && catalog.operation(byName)) owners.set(file, byName);
  }
  const examples: SpecExample[] = [];
  for (const [file, operationId] of owners) {
    let content: ExampleFile;
    try {
      content = JSON.parse(readFileSync(file, "utf8")) as ExampleFile;
    } catch {
      continue; // listed by the spec but not vendored (see specs/SOURCES.md)
    }
    const operation = catalog.operation(operationId)!;
    const parameters: Record<string, string> = {};
    const objects: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(content.parameters ?? {})) {
      if (typeof value === "string")
        parameters[name] = /^\{.*\}$/.test(value) && name === "subscriptionId" ? PLACEHOLDER_SUBSCRIPTION_ID : value;
      else objects[name] = value;
    }
    // The body parameter is "parameters" in these specs; some examples carry stray extra objects beside it.
    const body = objects.parameters ?? Object.values(objects)[0];
    examples.push({
      operationId,
      operation,
      file,
      method: operation.method,
      path: buildPath(operation.pathTemplate, parameters),
      apiVersion: parameters["api-version"] ?? "",
      body,
      parameters,
      responses: content.responses ?? {},
    });
  }
  return examples.sort((a, b) => a.file.localeCompare(b.file));
}

/** Fills a template the way the SDKs do: `x-ms-skip-url-encoding` ids and scopes go in raw. */
export function buildPath(template: string, parameters: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${template}`);
    return name === "scope" || name === "roleAssignmentId" ? value : encodeURIComponent(value);
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}
