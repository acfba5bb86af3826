import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { collectFiles } from "../../../../dev/package/azd-package";
import { readServiceConfig, resolveRemoteBuild, type FunctionServiceConfig } from "../../../../dev/package/azd-rules";

/**
 * azd's packaging rules for a TypeScript Functions service, as azure-dev
 * (github.com/Azure/azure-dev) writes them in
 * cli/azd/pkg/project/service_target_functionapp.go (resolveFunctionAppRemoteBuild)
 * and cli/azd/pkg/project/project_utils.go (createDeployableZip).
 */

const root = path.resolve(__dirname, "../../../..");
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "afs-azd-rules-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: string[], funcignore?: string): string {
  const dir = tempDir();
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), file);
  }
  if (funcignore !== undefined) writeFileSync(path.join(dir, ".funcignore"), funcignore);
  return dir;
}

const service = (remoteBuild?: boolean): FunctionServiceConfig => ({
  name: "api",
  project: ".",
  language: "ts",
  host: "function",
  remoteBuild,
});

describe("resolveRemoteBuild (azd's remote-build decision)", () => {
  const EXCLUDES = ["node_modules", "/node_modules/", "node_modules/", "/*\n!/host.json"];
  const KEEPS = ["src", "*.ts\n!dist/**", "/node_modules/*"];

  it("without .funcignore: remote build unless remoteBuild: false", () => {
    const dir = tree([]);
    expect(resolveRemoteBuild(service(), dir)).toBe(true);
    expect(resolveRemoteBuild(service(true), dir)).toBe(true);
    expect(resolveRemoteBuild(service(false), dir)).toBe(false);
  });

  it.each(EXCLUDES)(
    "a .funcignore leaving out node_modules (%j) means remote build, and remoteBuild: false is refused",
    (rules) => {
      const dir = tree([], rules);
      expect(resolveRemoteBuild(service(), dir)).toBe(true);
      expect(resolveRemoteBuild(service(true), dir)).toBe(true);
      expect(() => resolveRemoteBuild(service(false), dir)).toThrow(
        "'remoteBuild: false' cannot be used when '.funcignore' excludes node_modules",
      );
    },
  );

  it.each(KEEPS)(
    "a .funcignore keeping node_modules (%j) means a local build, and remoteBuild: true is refused",
    (rules) => {
      const dir = tree([], rules);
      expect(resolveRemoteBuild(service(), dir)).toBe(false);
      expect(resolveRemoteBuild(service(false), dir)).toBe(false);
      expect(() => resolveRemoteBuild(service(true), dir)).toThrow(
        "'remoteBuild: true' requires '.funcignore' to exclude node_modules",
      );
    },
  );

  it("reads the file as azd does: a UTF-8 byte order mark does not hide the first rule", () => {
    expect(() => resolveRemoteBuild(service(false), tree([], "\uFEFFnode_modules"))).toThrow(/excludes node_modules/);
  });

  it("this project's azure.yaml: a local build of dist/deploy, which azd accepts", () => {
    const config = readServiceConfig(root, "api");
    expect(config).toMatchObject({ language: "ts", host: "function", dist: "dist/deploy", remoteBuild: false });
    expect(resolveRemoteBuild(config, path.join(root, config.project))).toBe(false);
  });
});

describe("collectFiles (azd's zip walk and exclusions)", () => {
  const names = (dir: string, config = service()) => collectFiles(config, dir).map((f) => f.name);

  it("the .funcignore this project had stripped folders inside node_modules: unanchored rules match at every depth", () => {
    // The file as it was before the bundle (issue 19).
    const before = [".git*", "test", "dev", "src", "*.ts", "!dist/**", "tsconfig*.json", "local.settings.json"].join(
      "\n",
    );
    const dir = tree(
      [
        "dist/index.js",
        "node_modules/debug/src/index.js",
        "node_modules/debug/package.json",
        "node_modules/@opentelemetry/api-logs/build/src/index.js",
        "src/index.ts",
      ],
      before,
    );
    expect(names(dir, service(false))).toEqual(["dist/index.js", "node_modules/debug/package.json"]);
  });

  it("without .funcignore: node_modules left out unless remoteBuild: false; local.settings.json and .azure always", () => {
    const dir = tree([
      "app.js",
      "local.settings.json",
      ".azure/env/.env",
      "node_modules/a/index.js",
      "sub/local.settings.json",
    ]);
    expect(names(dir)).toEqual(["app.js"]);
    expect(names(dir, service(true))).toEqual(["app.js"]);
    expect(names(dir, service(false))).toEqual(["app.js", "node_modules/a/index.js"]);
  });

  it("never zips local.settings.json, a .funcignore or anything under .azure, whatever the rules and the tree", () => {
    const segment = fc.constantFrom("a", "b", "node_modules", "src", ".azure", "dist");
    const leaf = fc.constantFrom("x.js", "y.ts", "local.settings.json", ".funcignore", "host.json");
    const file = fc.tuple(fc.array(segment, { maxLength: 3 }), leaf).map(([parts, name]) => [...parts, name].join("/"));
    const rule = fc.constantFrom(
      "node_modules",
      "/src",
      "*.ts",
      "!local.settings.json",
      "!/.azure",
      "!**/.funcignore",
      "/*",
      "!/a",
      "b/",
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(file, { minLength: 1, maxLength: 8 }),
        fc.option(fc.array(rule, { maxLength: 5 })),
        fc.option(fc.boolean()),
        (files, rules, remote) => {
          const dir = tree(files, rules === null ? undefined : rules.join("\n"));
          const zipped = names(dir, service(remote ?? undefined));
          for (const name of zipped) {
            expect(name.split("/")).not.toContain(".azure");
            expect(path.basename(name)).not.toMatch(/^(local\.settings\.json|\.funcignore)$/);
            // Without an ignore file (none given, none generated at the root), azd's default leaves node_modules out.
            if (rules === null && !files.includes(".funcignore") && remote !== false)
              expect(name.split("/")).not.toContain("node_modules");
          }
          expect(zipped.every((name) => files.includes(name))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
