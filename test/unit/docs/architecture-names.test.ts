import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * docs/architecture.md walks one event through the files by name. A file
 * moved or a function renamed would leave the walk pointing at nothing, and
 * no link check sees it (the names are code spans, not links). So every file
 * and every code name it mentions must exist in the repository as it is.
 *
 * A path is `src/…` or `dev/…` (from the repository root), `folder/…` (in
 * src/lib), or a bare file name: in the folder of the first path of its list
 * item, table row or paragraph (src/lib when it has none) or at the root. A `*` matches
 * within one file name. A code name (`camelCase`, `PascalCase`,
 * `SCREAMING_CASE`, dotted) must occur as a word in src/.
 */
const root = path.resolve(__dirname, "../../..");

/** List items, table rows and paragraphs, outside fenced code blocks. */
function itemsOf(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
  return prose
    .split(/\n\s*\n/)
    .flatMap((block) => (/^(\d+\.|-|\|) /m.test(block) ? block.split(/\n(?=\d+\. |- |\|)/) : [block]))
    .map((item) => item.replace(/\n/g, " "));
}

const codeSpans = (item: string): string[] => [...item.matchAll(/`([^`\n]+)`/g)].map(([, span = ""]) => span);

const isRootPath = (span: string): boolean => /^(src|dev)\/\S*$/.test(span);
/** `store/run.ts`, `worker/`: a folder of src/lib, or a file in one. */
const isLibPath = (span: string): boolean => /^[a-z][\w-]*\/([\w.*-]+\/)*([\w*-]+\.[a-z]+)?$/.test(span);
const isFileName = (span: string): boolean => /^[\w.*-]+\.(ts|cjs|mjs|json|md)$/.test(span);
const isCodeName = (span: string): boolean =>
  /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(span) && /[A-Z]/.test(span) && /[a-z_]/.test(span);

function exists(relative: string): boolean {
  if (!relative.includes("*")) return existsSync(path.join(root, relative));
  const dir = path.dirname(relative);
  const pattern = new RegExp(
    `^${path
      .basename(relative)
      .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")}$`,
  );
  return existsSync(path.join(root, dir)) && readdirSync(path.join(root, dir)).some((f) => pattern.test(f));
}

/** Where a code span that names a path points, relative to the root; undefined when it is not a path. */
function pathCandidates(span: string, base: string | undefined): string[] | undefined {
  if (isRootPath(span)) return [span];
  if (isLibPath(span)) return [path.join("src/lib", span)];
  // A repository file (`host.json`, `.dependency-cruiser.cjs`) needs no folder.
  if (isFileName(span)) return [...(base ? [path.join(base, span)] : [path.join("src/lib", span)]), span];
  return undefined;
}

/** The folder bare file names of an item are in: that of its first path. */
function baseOf(spans: string[]): string | undefined {
  for (const span of spans) {
    const resolved = isRootPath(span) ? span : isLibPath(span) ? path.join("src/lib", span) : undefined;
    if (resolved) return resolved.endsWith("/") ? resolved : path.dirname(resolved);
  }
  return undefined;
}

function sourceWords(): Set<string> {
  const words = new Set<string>();
  const files = readdirSync(path.join(root, "src"), { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".ts"),
  );
  for (const file of files)
    for (const [word] of readFileSync(path.join(root, "src", file), "utf8").matchAll(/[A-Za-z_$][\w$]*/g))
      words.add(word);
  return words;
}

/** What the page names that the repository does not have, one line each. */
function missingNames(markdown: string, words: Set<string>): string[] {
  const missing: string[] = [];
  for (const item of itemsOf(markdown)) {
    const spans = codeSpans(item);
    const base = baseOf(spans);
    for (const span of spans) {
      const candidates = pathCandidates(span, base);
      if (candidates) {
        if (!candidates.some(exists)) missing.push(`no file ${candidates.join(" or ")} (\`${span}\`)`);
      } else if (isCodeName(span)) {
        const unknown = span.split(".").filter((part) => !words.has(part));
        if (unknown.length > 0) missing.push(`no name ${unknown.join(", ")} in src/ (\`${span}\`)`);
      }
    }
  }
  return missing;
}

describe("docs/architecture.md", () => {
  const words = sourceWords();

  it("names only files and code that exist", () => {
    expect(missingNames(readFileSync(path.join(root, "docs/architecture.md"), "utf8"), words)).toEqual([]);
  });

  it("mentions the files of the walk", () => {
    const page = readFileSync(path.join(root, "docs/architecture.md"), "utf8");
    for (const file of [
      "src/functions/armEvents.ts",
      "src/functions/reconcileWorker.ts",
      "src/lib/worker/reconcile-worker.ts",
      "src/lib/worker/with-lease.ts",
    ]) {
      expect(page).toContain(`\`${file}\``);
    }
  });

  it("reports a moved file, a bare name outside its item's folder, and a renamed function", () => {
    const page = [
      "1. `src/lib/store/run-records.ts`: `recordRunQueued` writes the row (`run-attempts.ts`).",
      "2. `src/lib/worker/reconcile-worker.ts`: `unresolvedIntents` (`run-attempts.ts`, `store/write-journal.ts`).",
      "",
      "| `store/` | `journal.ts`, `services.ts` |",
      "",
      "`src/functions/*.ts` and `src/functions/*.cs`, `.dependency-cruiser.cjs`, `MANAGED_SCOPES`, `queued`, `registeredServers/write`.",
    ].join("\n");
    expect(missingNames(page, words)).toEqual([
      "no file src/lib/store/run-records.ts (`src/lib/store/run-records.ts`)",
      "no name unresolvedIntents in src/ (`unresolvedIntents`)",
      "no file src/lib/worker/run-attempts.ts or run-attempts.ts (`run-attempts.ts`)",
      "no file src/lib/store/write-journal.ts (`store/write-journal.ts`)",
      "no file src/lib/store/services.ts or services.ts (`services.ts`)",
      "no file src/functions/*.cs (`src/functions/*.cs`)",
    ]);
  });
});
