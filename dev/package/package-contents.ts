import { builtinModules } from "node:module";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";

/** What a bundle and a package hold, read from the artifacts themselves. */

/**
 * Where each package whose code esbuild put in the bundle was installed
 * ("node_modules/a" or "node_modules/a/node_modules/b", as package-lock.json
 * names them): esbuild heads each module with its path when not minifying.
 */
export function bundledPackages(bundleText: string): Set<string> {
  // The path is relative to where esbuild ran: "../…/node_modules/…" when node_modules is a link.
  const headers = bundleText.matchAll(/^\s*\/\/ (?:\S*?\/)??((?:node_modules\/(?:@[^/\s]+\/)?[^/\s]+\/)+)\S*$/gm);
  return new Set([...headers].map((m) => (m[1] as string).replace(/\/$/, "")));
}

/** The package name of an install path ("node_modules/a/node_modules/@s/b" is "@s/b"). */
export function packageName(installPath: string): string {
  return installPath.slice(installPath.lastIndexOf("node_modules/") + "node_modules/".length);
}

/**
 * Modules the bundle still loads at run time from outside itself (what it left
 * external): the bare specifiers of its require() calls (esbuild's __require()
 * in an ES module), imports and import()s.
 * Its own chunks ("./…") are inside it.
 */
export function runtimeRequires(bundleText: string): Set<string> {
  const specifiers = [
    ...bundleText.matchAll(
      /(?<![\w$])(?:__)?(?:require|import)\(\s*"([^"]+)"\s*\)|^\s*(?:import|export)\b[^;"]*?(?:\bfrom\s*)?"([^"]+)";/gm,
    ),
  ].map((m) => (m[1] ?? m[2]) as string);
  return new Set(specifiers.filter((s) => !s.startsWith(".")));
}

/** The text of every JavaScript file under dir (a bundle and its chunks), joined. */
export function bundleText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(m|c)?js$/.test(f))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
}

/** Node's own modules, with and without the node: prefix. */
export function isNodeBuiltin(name: string): boolean {
  return name.startsWith("node:") || builtinModules.includes(name);
}

/** package-lock.json's installs by path, each with whether only devDependencies need it (`dev: true`). */
export function lockedInstalls(root: string): Map<string, { devOnly: boolean }> {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return new Map(
    Object.entries(lock.packages)
      .filter(([key]) => key.startsWith("node_modules/"))
      .map(([key, entry]) => [key, { devOnly: entry.dev === true }]),
  );
}

/** Unpacks a zip into dir; returns the files written (relative names). */
export function unzipInto(zipPath: string, dir: string): string[] {
  const entries = unzipSync(readFileSync(zipPath));
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith("/")) continue;
    const target = path.resolve(dir, name);
    if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error(`zip entry "${name}" points outside ${dir}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return Object.keys(entries).filter((n) => !n.endsWith("/"));
}
