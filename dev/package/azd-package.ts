import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { zipSync, type Zippable } from "fflate";
import {
  readIgnoreFile,
  readServiceConfig,
  resolveRemoteBuild,
  zipIncludes,
  type FunctionServiceConfig,
} from "./azd-rules";

/**
 * `azd package` for this project's Functions service, step by step as azure-dev
 * (github.com/Azure/azure-dev, commit ae35809f, 2026-08) runs it:
 *
 * 1. restore: `npm install --no-audit --no-fund --prefer-offline`, skipped when
 *    node_modules/.package-lock.json is not older than package-lock.json
 *    (cli/azd/pkg/project/framework_service_node.go Restore;
 *    cli/azd/pkg/tools/node/detect.go IsDependenciesUpToDate; node.go Install);
 * 2. build: `npm run build --if-present` (framework_service_node.go Build;
 *    node.go RunScript);
 * 3. package: `npm run build --if-present` once more, then the service folder
 *    joined with azure.yaml's `dist` is the folder to zip, refused when empty
 *    (framework_service_node.go Package);
 * 4. the remote-build decision, refused where azd refuses it
 *    (service_target_functionapp.go resolveFunctionAppRemoteBuild);
 * 5. the zip: every file under that folder but what the exclusions leave out,
 *    symlinks followed, deflated, named by forward-slash relative paths
 *    (service_target_functionapp.go Package; project_utils.go
 *    createDeployableZip; cli/azd/pkg/rzip/rzip.go CreateFromDirectory).
 *
 * This project's design does not use remote build (docs/deployment-package.md),
 * so the platform's build on a remote-build package is not reproduced: such a
 * configuration is refused here by name.
 */

export interface AzdPackage {
  service: FunctionServiceConfig;
  remoteBuild: boolean;
  /** The folder azd zipped. */
  packageDir: string;
  zipPath: string;
  /** Entry names, in zip order. */
  entries: string[];
  zipBytes: number;
  /** Sum of the entries' uncompressed sizes. */
  unpackedBytes: number;
}

export interface AzdPackageOptions {
  /** The folder holding azure.yaml. */
  projectRoot: string;
  serviceName?: string;
  /** Where the zip goes (`azd package --output-path`). */
  outputPath: string;
  /** Output of npm (default: inherited). */
  stdio?: "inherit" | "ignore";
}

export function dependenciesUpToDate(serviceDir: string): boolean {
  const lock = path.join(serviceDir, "package-lock.json");
  const marker = path.join(serviceDir, "node_modules", ".package-lock.json");
  if (!existsSync(lock) || !existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

function npm(args: string[], cwd: string, stdio: "inherit" | "ignore"): void {
  execFileSync("npm", args, { cwd, stdio });
}

/** Runs the package step as azd does and writes the zip it would upload. */
export function packageLikeAzd(options: AzdPackageOptions): AzdPackage {
  const stdio = options.stdio ?? "inherit";
  const service = readServiceConfig(options.projectRoot, options.serviceName ?? "api");
  if (service.host !== "function")
    throw new Error(`service "${service.name}" is not a Functions service (host: ${service.host})`);
  const serviceDir = path.resolve(options.projectRoot, service.project);
  if (!dependenciesUpToDate(serviceDir))
    npm(["install", "--no-audit", "--no-fund", "--prefer-offline"], serviceDir, stdio);
  npm(["run", "build", "--if-present"], serviceDir, stdio);
  npm(["run", "build", "--if-present"], serviceDir, stdio);
  const packageDir = service.dist ? path.join(serviceDir, service.dist) : serviceDir;
  if (!existsSync(packageDir) || readdirSync(packageDir).length === 0) {
    throw new Error(`package source '${packageDir}' is empty or does not exist`);
  }
  const remoteBuild = resolveRemoteBuild(service, serviceDir);
  if (remoteBuild) {
    throw new Error(
      `service "${service.name}" resolves to remote build; this reproduction covers local builds only (set remoteBuild: false)`,
    );
  }
  return { ...zipPackage(service, packageDir, options.outputPath), remoteBuild };
}

/** Step 5 alone, on a folder already built: the zip azd would write for it. */
export function zipPackage(
  service: FunctionServiceConfig,
  packageDir: string,
  outputPath: string,
): Omit<AzdPackage, "remoteBuild"> {
  const files = collectFiles(service, packageDir);
  const zippable: Zippable = {};
  let unpackedBytes = 0;
  for (const file of files) {
    const data = readFileSync(file.source);
    unpackedBytes += data.length;
    zippable[file.name] = [data, { level: 6, mtime: file.mtime }];
  }
  const zip = zipSync(zippable);
  mkdirSync(outputPath, { recursive: true });
  const zipPath = path.join(outputPath, `${service.name}.zip`);
  writeFileSync(zipPath, zip);
  return { service, packageDir, zipPath, entries: files.map((f) => f.name), zipBytes: zip.length, unpackedBytes };
}

interface ZipFile {
  name: string;
  source: string;
  mtime: Date;
}

/**
 * The walk of rzip.CreateFromDirectory with createDeployableZip's filter: entries in name order, left-out folders not
 * entered.
 */
export function collectFiles(service: FunctionServiceConfig, root: string): ZipFile[] {
  const rules = readIgnoreFile(root);
  const files: ZipFile[] = [];
  const walk = (dir: string, prefix: string, depth: number): void => {
    if (depth > 40) return; // rzip's bound on symlinked folders
    for (const name of readdirSync(dir).sort()) {
      const source = path.join(dir, name);
      const link = lstatSync(source);
      const target = link.isSymbolicLink() ? statSync(source) : link;
      const relativePath = prefix ? `${prefix}/${name}` : name;
      if (!zipIncludes(service, rules, { relativePath, name, isDir: target.isDirectory() })) continue;
      if (target.isDirectory())
        walk(
          link.isSymbolicLink() ? realpathSync(source) : source,
          relativePath,
          depth + (link.isSymbolicLink() ? 1 : 0),
        );
      else files.push({ name: relativePath, source, mtime: target.mtime });
    }
  };
  walk(root, "", 0);
  return files;
}
