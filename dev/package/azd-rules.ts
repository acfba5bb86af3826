import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import { parse } from "yaml";

/**
 * azd's rules for a Functions app's package, as azure-dev (github.com/Azure/azure-dev,
 * commit ae35809f, 2026-08) writes them; each function names the Go source it follows.
 */

/** The service fields of azure.yaml that decide packaging (cli/azd/pkg/project/service_config.go). */
export interface FunctionServiceConfig {
  name: string;
  /** The service folder, relative to azure.yaml. */
  project: string;
  language: string;
  host: string;
  /** yaml `dist`: the build output folder that is zipped (ServiceConfig.OutputPath). */
  dist?: string;
  /** unset, true or false (ServiceConfig.RemoteBuild is a *bool). */
  remoteBuild?: boolean;
}

/** The ignore file of the Functions target (cli/azd/pkg/project/service_target.go, IgnoreFile). */
export const FUNCTIONS_IGNORE_FILE = ".funcignore";

/** ServiceLanguageJavaScript and ServiceLanguageTypeScript ("js", "ts"; azure.yaml also takes the long names). */
function isNodeLanguage(service: FunctionServiceConfig): boolean {
  return ["js", "ts", "javascript", "typescript"].includes(service.language);
}

/** Reads one service of azure.yaml; fails naming what is missing. */
export function readServiceConfig(projectRoot: string, serviceName: string): FunctionServiceConfig {
  const file = path.join(projectRoot, "azure.yaml");
  const doc = parse(readFileSync(file, "utf8")) as { services?: Record<string, Record<string, unknown>> };
  const raw = doc.services?.[serviceName];
  if (!raw) throw new Error(`${file} has no service "${serviceName}"`);
  const text = (key: string): string | undefined => (typeof raw[key] === "string" ? (raw[key] as string) : undefined);
  const remoteBuild = raw.remoteBuild;
  if (remoteBuild !== undefined && typeof remoteBuild !== "boolean")
    throw new Error(`${file}: services.${serviceName}.remoteBuild must be true or false`);
  return {
    name: serviceName,
    project: text("project") ?? ".",
    language: text("language") ?? "",
    host: text("host") ?? "",
    dist: text("dist"),
    remoteBuild,
  };
}

/** An ignore file as azd reads it: a leading UTF-8 BOM stripped (stripUTF8BOM), gitignore syntax, later rules win. */
export function readIgnoreFile(dir: string): Ignore | undefined {
  const file = path.join(dir, FUNCTIONS_IGNORE_FILE);
  if (!existsSync(file)) return undefined;
  return ignore().add(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
}

/** Whether the rules leave out the folder at this relative path (go-gitignore's Relative(path, isDir=true)). */
export function ignoresDir(rules: Ignore, relativePath: string): boolean {
  return rules.ignores(`${relativePath}/`);
}

/**
 * resolveFunctionAppRemoteBuild (cli/azd/pkg/project/service_target_functionapp.go):
 * for JavaScript/TypeScript, the service folder's .funcignore decides the default
 * (remote build exactly when it leaves out node_modules), and an explicit
 * `remoteBuild` that disagrees with it is refused with azd's own message.
 */
export function resolveRemoteBuild(service: FunctionServiceConfig, serviceDir: string): boolean {
  if (!isNodeLanguage(service)) return service.remoteBuild ?? service.language === "python";
  const rules = readIgnoreFile(serviceDir);
  if (!rules) return service.remoteBuild ?? true;
  const nodeModulesExcluded = ignoresDir(rules, "node_modules");
  if (service.remoteBuild === undefined) return nodeModulesExcluded;
  if (service.remoteBuild && !nodeModulesExcluded) {
    throw new Error(`'remoteBuild: true' requires '${FUNCTIONS_IGNORE_FILE}' to exclude node_modules`);
  }
  if (!service.remoteBuild && nodeModulesExcluded) {
    throw new Error(`'remoteBuild: false' cannot be used when '${FUNCTIONS_IGNORE_FILE}' excludes node_modules`);
  }
  return service.remoteBuild;
}

/**
 * The exclusions of createDeployableZip (cli/azd/pkg/project/project_utils.go),
 * asked of every entry of the walk (a left-out folder is not entered): `.azure`
 * folders, the ignore file itself and local.settings.json always; then the
 * zipped folder's own .funcignore alone, or without one, node_modules unless
 * `remoteBuild: false`.
 */
export function zipIncludes(
  service: FunctionServiceConfig,
  rules: Ignore | undefined,
  entry: { relativePath: string; name: string; isDir: boolean },
): boolean {
  if (entry.isDir && entry.name === ".azure") return false;
  if (!entry.isDir && entry.name === FUNCTIONS_IGNORE_FILE) return false;
  if (!entry.isDir && entry.name === "local.settings.json") return false;
  if (rules) return !(entry.isDir ? ignoresDir(rules, entry.relativePath) : rules.ignores(entry.relativePath));
  if (entry.isDir && entry.name === "node_modules" && isNodeLanguage(service)) return service.remoteBuild === false;
  return true;
}
