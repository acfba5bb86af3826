import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The README is the front door and docs/ holds the reference: every relative
 * link between them must lead somewhere, anchors included, so a moved page or
 * a renamed heading breaks here rather than for a reader on GitHub.
 */
const root = path.resolve(__dirname, "../../..");
const pages = [
  "README.md",
  ...readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join("docs", f)),
];

/** Markdown outside fenced code blocks (a `#` there is a comment, a `](` is code). */
function prose(file: string): string {
  return readFileSync(path.join(root, file), "utf8").replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading = ""] of markdown.matchAll(/^#{1,6} (.*)$/gm)) {
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug);
    seen.set(slug, (count ?? -1) + 1);
    anchors.add(count === undefined ? slug : `${slug}-${count + 1}`);
  }
  return anchors;
}

function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const [, target = ""] of prose(file).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?|mailto):/.test(target)) continue;
    const [pathPart = "", anchor] = target.split("#", 2);
    const linked = pathPart ? path.normalize(path.join(path.dirname(file), pathPart)) : file;
    if (!existsSync(path.join(root, linked))) broken.push(`${file}: ${target} (no such file)`);
    else if (anchor && linked.endsWith(".md") && !anchorsOf(prose(linked)).has(anchor))
      broken.push(`${file}: ${target} (no such heading)`);
  }
  return broken;
}

describe("README.md and docs/", () => {
  it("anchors are GitHub's", () => {
    expect([
      ...anchorsOf("# A `code` heading: (x)\n## Runs: coalescing, leases\n## Runs: coalescing, leases\n"),
    ]).toEqual(["a-code-heading-x", "runs-coalescing-leases", "runs-coalescing-leases-1"]);
  });

  it("every relative link leads to an existing page and heading", () => {
    expect(pages).toContain(path.join("docs", "architecture.md"));
    expect(pages.flatMap(brokenLinks)).toEqual([]);
  });

  it("the README stays a front door (under 250 lines)", () => {
    expect(readFileSync(path.join(root, "README.md"), "utf8").split("\n").length).toBeLessThan(250);
  });
});
