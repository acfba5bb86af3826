import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { zipPackage } from "../dev/package/azd-package";
import { readServiceConfig, resolveRemoteBuild } from "../dev/package/azd-rules";
import { APP_BUNDLE, REPO_ROOT } from "../dev/package/bundle";
import { bundledPackages, bundleText, lockedInstalls, packageName, unzipInto } from "../dev/package/package-contents";
import { compareStarts } from "./support/node-start";
import { printTable } from "./support/table";

/**
 * The package `azd deploy` uploads (azd's zip of azure.yaml's `dist`, made by
 * dev/package/azd-package.ts from the folder `npm run build` wrote): its size,
 * file count, unpacked size and the devDependencies inside; then its cold
 * start, a fresh `node` in the unpacked folder importing the bundle's entry (what
 * the Functions worker loads before the first invocation; the chunks behind
 * each function's `await import()` wait for its first invocation), against a bare `node`
 * start and against the unbundled tsc output (dist/index.js and
 * dist/functions/*.js with node_modules), all in the same run.
 * Targets: 0 devDependencies, zip <= 15 MB, at most 250 ms over bare node.
 */
const RUNS = 9;
const TARGET_ZIP_MB = 15;
const TARGET_EXTRA_MS = 250;
const MB = 1024 * 1024;

export default async function run(): Promise<void> {
  const service = readServiceConfig(REPO_ROOT, "api");
  const serviceDir = path.join(REPO_ROOT, service.project);
  const packageDir = path.join(serviceDir, service.dist ?? "");
  if (!existsSync(path.join(packageDir, APP_BUNDLE)))
    throw new Error(`${packageDir} is missing: run npm run build (npm run bench does)`);
  resolveRemoteBuild(service, serviceDir); // refuses what azd refuses
  const work = mkdtempSync(path.join(tmpdir(), "afs-bench-package-"));
  try {
    const pkg = zipPackage(service, packageDir, work);
    const unpacked = path.join(work, "unpacked");
    unzipInto(pkg.zipPath, unpacked);
    const locked = lockedInstalls(REPO_ROOT);
    const installs = [...bundledPackages(bundleText(unpacked))];
    const devInside = installs.filter((install) => locked.get(install)?.devOnly !== false);
    const dist = path.join(REPO_ROOT, "dist");
    const unbundled = [
      path.join(dist, "index.js"),
      ...readdirSync(path.join(dist, "functions"))
        .filter((f) => f.endsWith(".js"))
        .map((f) => path.join(dist, "functions", f)),
    ];
    const starts = compareStarts(
      {
        // The worker imports an ES module entry point (import(), as here).
        bundle: {
          script: `import(${JSON.stringify(pathToFileURL(path.join(unpacked, APP_BUNDLE)).href)});`,
          cwd: unpacked,
        },
        unbundled: { script: `for (const f of ${JSON.stringify(unbundled)}) require(f);`, cwd: REPO_ROOT },
      },
      RUNS,
    );
    const extra = starts.bundle - starts.bare;
    const zipMb = pkg.zipBytes / MB;
    console.log(
      `Deployment package: ${path.relative(REPO_ROOT, packageDir)} zipped as azd zips it; cold start median of ${RUNS} each`,
    );
    printTable([
      ["figure", "value", "target"],
      ["zip size (MB)", zipMb.toFixed(2), `<= ${TARGET_ZIP_MB} ${zipMb <= TARGET_ZIP_MB ? "met" : "MISSED"}`],
      ["files in zip", String(pkg.entries.length), ""],
      ["unpacked (MB)", (pkg.unpackedBytes / MB).toFixed(2), ""],
      ["npm packages bundled", `${installs.length} (${new Set(installs.map(packageName)).size} names)`, ""],
      [
        "devDependency packages inside",
        String(devInside.length),
        `0 ${devInside.length === 0 ? "met" : `MISSED: ${devInside.join(", ")}`}`,
      ],
      ["bare node (ms)", starts.bare.toFixed(0), ""],
      ["node + package bundle (ms)", starts.bundle.toFixed(0), ""],
      ["node + unbundled tsc output (ms)", starts.unbundled.toFixed(0), ""],
      ["bundle / bare", (starts.bundle / starts.bare).toFixed(2), ""],
      [
        "bundle extra over bare (ms)",
        extra.toFixed(0),
        `<= ${TARGET_EXTRA_MS} ${extra <= TARGET_EXTRA_MS ? "met" : "MISSED"}`,
      ],
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
