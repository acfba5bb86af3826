import { describe, expect, it } from "vitest";
import { bundledPackages, isNodeBuiltin, packageName, runtimeRequires } from "../../../../dev/package/package-contents";

describe("bundledPackages (esbuild's module headers)", () => {
  it("names each install by its package-lock path, nested installs included, wherever esbuild ran", () => {
    const text = [
      "// node_modules/e/f.js",
      "// node_modules/@a/b/node_modules/c/d.js",
      "  // ../../work/repo/node_modules/@s/t/dist/index.js",
      "// src/lib/x.ts",
      "// a comment that mentions node_modules/g/ in passing",
    ].join("\n");
    expect([...bundledPackages(text)].sort()).toEqual([
      "node_modules/@a/b/node_modules/c",
      "node_modules/@s/t",
      "node_modules/e",
    ]);
  });

  it("packageName is the last package of an install path", () => {
    expect(packageName("node_modules/@a/b/node_modules/@s/c")).toBe("@s/c");
    expect(packageName("node_modules/e")).toBe("e");
  });
});

describe("runtimeRequires", () => {
  it("finds bare specifiers of require, esbuild's __require, import and import(), not the bundle's own chunks", () => {
    const text = [
      'import { createRequire as __createRequire } from "node:module";',
      'import "./chunks/chunk-A.mjs";',
      'export { x } from "./chunks/chunk-B.mjs";',
      'const core = __require("@azure/functions-core");',
      'const fs = require("fs");',
      'const later = import("./chunks/later.mjs");',
      'const other = await import("some-package");',
      'const notACall = myrequire("ignored");',
    ].join("\n");
    expect([...runtimeRequires(text)].sort()).toEqual(["@azure/functions-core", "fs", "node:module", "some-package"]);
  });

  it("isNodeBuiltin knows Node's modules with and without the prefix", () => {
    expect(["fs", "node:fs", "node:fs/promises", "child_process"].every(isNodeBuiltin)).toBe(true);
    expect(isNodeBuiltin("@azure/functions-core")).toBe(false);
  });
});
