import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { build, type Metafile, type OutputFile, type Plugin } from "esbuild";
import { lockedInstalls } from "./package-contents";

/**
 * The two things this project ships, bundled with every production dependency
 * inside (`npm run build` writes both after tsc):
 *
 * - dist/deploy/: what azd zips and uploads (azure.yaml `dist`): app.mjs, the
 *   chunks/ it imports, host.json and a package.json whose `main` is app.mjs.
 *   No node_modules: the Functions host needs nothing else. The app is an ES
 *   module split into chunks so that it keeps the lazy loading of its sources:
 *   app.mjs holds index.ts, the function modules and what they import at the
 *   top; each `await import()` of a function's implementation stays a separate
 *   chunk, read on the first invocation that needs it, not at start-up. (One
 *   CommonJS file made every start parse all 5 MB: about +250 ms over bare
 *   node against +100 ms split; `npm run bench deploy-package`.)
 * - dist/cli-package/: the `afs-identity` CLI as an npm package with no
 *   dependencies to install (`npm run pack:cli` packs it), one CommonJS file.
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
const DEPLOY = ["dist", "deploy"];
const CLI_PACKAGE = ["dist", "cli-package"];
export const DEPLOY_DIR = path.join(REPO_ROOT, ...DEPLOY);
export const CLI_PACKAGE_DIR = path.join(REPO_ROOT, ...CLI_PACKAGE);
export const APP_BUNDLE = "app.mjs";
/** The app's lazily imported chunks, under dist/deploy. */
export const APP_CHUNKS = "chunks";
export const CLI_BUNDLE = "afs-identity.js";
/** The one module the Functions worker provides (see above). */
export const WORKER_PROVIDED = ["@azure/functions-core"];

interface RootManifest {
  name: string;
  version: string;
  description: string;
  license: string;
}

/**
 * What the two packages need: any Node 20. (The repository itself asks for
 * 20.19: its local host loads the app's ES module entry with require(), which
 * Node allows without a flag from 20.19; the Functions worker uses import().)
 */
const SHIPPED_ENGINES = { node: ">=20" };

/**
 * The files the Functions worker loads, in its order: index.ts (the appStart hook) first, then every function module.
 */
export function appEntryModules(root = REPO_ROOT): string[] {
  const functions = readdirSync(path.join(root, "src", "functions"))
    .filter((f) => f.endsWith(".ts"))
    .sort();
  return ["src/index.ts", ...functions.map((f) => `src/functions/${f}`)];
}

const COMMON = {
  bundle: true,
  platform: "node",
  target: "node20",
  legalComments: "none",
  metafile: true,
  write: false,
  logLevel: "warning",
} as const;

/**
 * CommonJS packages inside an ES module still call require(), for Node's modules
 * and for @azure/functions-core: each chunk gets a real one.
 */
const ESM_REQUIRE =
  'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);';

/**
 * Packages imported with `import` resolve to their ESM builds, and some of those
 * read `import.meta.url` (@azure/storage-common's crc64.js calls
 * createRequire(import.meta.url) when it loads; `open` finds its folder by it).
 * A CommonJS bundle has no import.meta, so it would be undefined and the
 * module would throw on first use: the CLI bundle gets its own file's URL instead.
 */
const IMPORT_META_URL = "__bundleFileUrl";
const CJS_IMPORT_META = {
  define: { "import.meta.url": IMPORT_META_URL },
  banner: { js: `const ${IMPORT_META_URL} = require("node:url").pathToFileURL(__filename).href;` },
} as const;

/** The app's entry: the modules the worker would load, in its order, as one virtual module. */
function appEntry(root: string): Plugin {
  const contents = appEntryModules(root)
    .map((file) => `import ${JSON.stringify(`./${file}`)};`)
    .join("\n");
  return {
    name: "functions-app-entry",
    setup(builder) {
      builder.onResolve({ filter: /^functions-app-entry$/ }, () => ({
        path: "functions-app-entry",
        namespace: "functions-app-entry",
      }));
      builder.onLoad({ filter: /.*/, namespace: "functions-app-entry" }, () => ({
        contents,
        resolveDir: root,
        loader: "js",
      }));
    },
  };
}

/**
 * Optional requires a production package wraps in try/catch, of packages that
 * no production dependency declares: `debug` tries `supports-color`. They are
 * installed here only because a dev tool needs them, so in the bundle they are
 * absent, as they are wherever only production dependencies are installed.
 */
const ABSENT_OPTIONAL = ["supports-color"];
const RESOLVING = Symbol("resolving");

/**
 * Fails the build when a bare import resolves into a package that package-lock.json
 * installs only for devDependencies (a hoisted dev tool's package would
 * otherwise slip into the bundle unnoticed), except the optional ones above.
 */
function productionOnly(root: string): Plugin {
  // esbuild reports real paths: node_modules may be a link (a copy of the tree built elsewhere).
  const modules = realpathSync(path.join(root, "node_modules"));
  const devOnly = [...lockedInstalls(root)]
    .filter(([, install]) => install.devOnly)
    .map(([key]) => path.join(modules, key.slice("node_modules/".length)) + path.sep);
  return {
    name: "production-only",
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === RESOLVING) return undefined;
        const resolved = await builder.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: RESOLVING,
        });
        if (resolved.errors.length > 0 || resolved.external || !devOnly.some((dir) => resolved.path.startsWith(dir)))
          return undefined;
        if (ABSENT_OPTIONAL.includes(args.path)) return { path: args.path, namespace: "absent-optional" };
        return {
          errors: [
            {
              text: `"${args.path}" (imported by ${args.importer}) is installed only for devDependencies: declare it in dependencies`,
            },
          ],
        };
      });
      builder.onLoad({ filter: /.*/, namespace: "absent-optional" }, (args) => ({
        contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}), { code: "MODULE_NOT_FOUND" });`,
        loader: "js",
      }));
    },
  };
}

interface Bundle {
  metafile: Metafile;
  files: OutputFile[];
}

async function bundleApp(root: string): Promise<Bundle> {
  const result = await build({
    ...COMMON,
    format: "esm",
    splitting: true,
    entryPoints: { [path.basename(APP_BUNDLE, ".mjs")]: "functions-app-entry" },
    outdir: path.join(root, ...DEPLOY),
    outExtension: { ".js": ".mjs" },
    chunkNames: `${APP_CHUNKS}/[name]-[hash]`,
    banner: { js: ESM_REQUIRE },
    external: WORKER_PROVIDED,
    plugins: [appEntry(root), productionOnly(root)],
  });
  return { metafile: result.metafile, files: result.outputFiles };
}

async function bundleCli(root: string): Promise<Bundle> {
  const result = await build({
    ...COMMON,
    ...CJS_IMPORT_META,
    format: "cjs",
    entryPoints: [path.join(root, "src", "cli", "main.ts")],
    outfile: path.join(root, ...CLI_PACKAGE, CLI_BUNDLE),
    plugins: [productionOnly(root)],
  });
  return { metafile: result.metafile, files: result.outputFiles };
}

interface FileToWrite {
  path: string;
  contents: Uint8Array | string;
}

/**
 * Makes dir hold exactly these files. Each is written to a temporary name and
 * renamed over the old one, and stale files go last: a process that runs the
 * app from dir while it is rebuilt (tests run `npm start`, which builds, next
 * to others) reads either the old file or the new one, never half of one.
 */
function replaceFolder(dir: string, files: FileToWrite[]): void {
  const wanted = new Set(files.map((f) => path.resolve(f.path)));
  for (const file of files) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const file = path.join(dir, name);
    if (!wanted.has(file) && statSync(file).isFile()) rmSync(file, { force: true });
  }
}

/** Writes dist/deploy/ and dist/cli-package/ under root; returns each bundle's metafile (what went in). */
export async function bundleAll(root = REPO_ROOT): Promise<{ app: Metafile; cli: Metafile }> {
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as RootManifest;
  const [app, cli] = await Promise.all([bundleApp(root), bundleCli(root)]);
  const common = {
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    engines: SHIPPED_ENGINES,
  };
  const deployDir = path.join(root, ...DEPLOY);
  const cliDir = path.join(root, ...CLI_PACKAGE);
  replaceFolder(deployDir, [
    ...app.files,
    { path: path.join(deployDir, "host.json"), contents: readFileSync(path.join(root, "host.json")) },
    {
      path: path.join(deployDir, "package.json"),
      contents: json({ name: manifest.name, ...common, private: true, main: APP_BUNDLE }),
    },
  ]);
  replaceFolder(cliDir, [
    ...cli.files,
    {
      path: path.join(cliDir, "package.json"),
      contents: json({ name: "afs-identity", ...common, bin: { "afs-identity": CLI_BUNDLE }, files: [CLI_BUNDLE] }),
    },
  ]);
  chmodSync(path.join(cliDir, CLI_BUNDLE), 0o755);
  return { app: app.metafile, cli: cli.metafile };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

if (require.main === module) {
  bundleAll().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
