import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build, type Metafile } from "esbuild";

/**
 * The two things this project ships, each one bundled file with every
 * production dependency inside (`npm run build` writes both after tsc):
 *
 * - dist/deploy/: what azd zips and uploads (azure.yaml `dist`): app.js, host.json
 *   and a package.json whose `main` is app.js. No node_modules: the Functions
 *   host needs nothing else.
 * - dist/cli-package/: the `afs-identity` CLI as an npm package with no
 *   dependencies to install (`npm run pack:cli` packs it).
 *
 * Only `@azure/functions-core` stays outside the app bundle: the Functions
 * Node.js worker provides that module and no other at run time (its
 * src/setupCoreModule.ts, github.com/Azure/azure-functions-nodejs-worker), so
 * `@azure/functions` itself is bundled.
 *
 * Not minified (stack traces keep function names, and each module is headed by
 * its source path in the file) and no source maps (see docs/deployment-package.md).
 */

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEPLOY_DIR = path.join(REPO_ROOT, "dist", "deploy");
export const CLI_PACKAGE_DIR = path.join(REPO_ROOT, "dist", "cli-package");
export const APP_BUNDLE = "app.js";
export const CLI_BUNDLE = "afs-identity.js";
/** The one module the Functions worker provides (see above). */
export const WORKER_PROVIDED = ["@azure/functions-core"];

interface RootManifest {
  name: string;
  version: string;
  description: string;
  license: string;
  engines: Record<string, string>;
}

/** The files the Functions worker loads, in its order: index.ts (the appStart hook) first, then every function module. */
export function appEntryModules(root = REPO_ROOT): string[] {
  const functions = readdirSync(path.join(root, "src", "functions"))
    .filter((f) => f.endsWith(".ts"))
    .sort();
  return ["src/index.ts", ...functions.map((f) => `src/functions/${f}`)];
}

const COMMON = { bundle: true, platform: "node", target: "node20", format: "cjs", legalComments: "none", metafile: true, logLevel: "warning" } as const;

async function bundleApp(root: string): Promise<Metafile> {
  const contents = appEntryModules(root)
    .map((file) => `require(${JSON.stringify(`./${file}`)});`)
    .join("\n");
  const result = await build({
    ...COMMON,
    stdin: { contents, resolveDir: root, sourcefile: "functions-app-entry.js", loader: "js" },
    outfile: path.join(DEPLOY_DIR, APP_BUNDLE),
    external: WORKER_PROVIDED,
  });
  return result.metafile;
}

async function bundleCli(root: string): Promise<Metafile> {
  const result = await build({ ...COMMON, entryPoints: [path.join(root, "src", "cli", "main.ts")], outfile: path.join(CLI_PACKAGE_DIR, CLI_BUNDLE) });
  return result.metafile;
}

/** Writes dist/deploy/ and dist/cli-package/ afresh; returns each bundle's metafile (what went in). */
export async function bundleAll(root = REPO_ROOT): Promise<{ app: Metafile; cli: Metafile }> {
  rmSync(DEPLOY_DIR, { recursive: true, force: true });
  rmSync(CLI_PACKAGE_DIR, { recursive: true, force: true });
  mkdirSync(DEPLOY_DIR, { recursive: true });
  mkdirSync(CLI_PACKAGE_DIR, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as RootManifest;
  const [app, cli] = await Promise.all([bundleApp(root), bundleCli(root)]);
  copyFileSync(path.join(root, "host.json"), path.join(DEPLOY_DIR, "host.json"));
  const common = { version: manifest.version, description: manifest.description, license: manifest.license, engines: manifest.engines };
  writeJson(path.join(DEPLOY_DIR, "package.json"), { name: manifest.name, ...common, private: true, main: APP_BUNDLE });
  writeJson(path.join(CLI_PACKAGE_DIR, "package.json"), {
    name: "afs-identity",
    ...common,
    bin: { "afs-identity": CLI_BUNDLE },
    files: [CLI_BUNDLE],
  });
  return { app, cli };
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

if (require.main === module) {
  bundleAll().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
