/**
 * Finds the Bicep CLI and PowerShell that test/infra runs, or restores pinned
 * copies from NuGet into .tools/ (gitignored) with the .NET SDK:
 * - Bicep: the package Azure.Bicep.CommandLine.<rid>, which carries the `bicep`
 *   executable under tools/ (how Microsoft's MSBuild integration gets it).
 * - PowerShell: the .NET tool `PowerShell`.
 * A tool already on the PATH (or Bicep where `az bicep install` puts it,
 * ~/.azure/bin) is used instead when it is at least the pinned version's
 * release line, so contributors without .NET can run the checks too.
 */
import { execFile } from "node:child_process";
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The versions restored when no suitable tool is installed. */
export const PINNED = { bicep: "0.49.2", pwsh: "7.6.9" } as const;
export type ToolName = keyof typeof PINNED;

export interface FoundTool {
  path: string;
  version: string;
  /** Where it came from: "PATH", "~/.azure/bin" or "restored into .tools/". */
  source: string;
}

/** A tool, or why it could not be found or restored (the infra tests fail with this message). */
export type ToolLookup = FoundTool | { error: string };

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const toolsDir = join(repoRoot, ".tools");

const exe = (name: string) => (process.platform === "win32" ? `${name}.exe` : name);
const DOTNET_ENV = {
  ...process.env,
  DOTNET_CLI_TELEMETRY_OPTOUT: "1",
  DOTNET_NOLOGO: "1",
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE: "1",
};

/**
 * Each tool's minimum acceptable version when found installed: Bicep's pinned minor (linter rules and `snapshot` change
 * between minors), PowerShell 7.
 */
function acceptable(name: ToolName, version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (name === "pwsh") return major >= 7;
  const [pinMajor = 0, pinMinor = 0] = PINNED.bicep.split(".").map(Number);
  return major > pinMajor || (major === pinMajor && minor >= pinMinor);
}

async function versionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ["--version"], {
      timeout: 60_000,
      env: { ...process.env, POWERSHELL_TELEMETRY_OPTOUT: "1" },
    });
    return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter((d) => d.length > 0)) {
    const candidate = join(dir, exe(name));
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where a restored tool's executable lives. */
export function restoredPath(name: ToolName): string {
  return join(toolsDir, `${name}-${PINNED[name]}`, exe(name));
}

async function installed(name: ToolName): Promise<FoundTool | undefined> {
  const candidates: [string | undefined, string][] = [[onPath(name), "PATH"]];
  if (name === "bicep") candidates.push([join(homedir(), ".azure", "bin", exe("bicep")), "~/.azure/bin"]);
  for (const [path, source] of candidates) {
    if (!path || !existsSync(path)) continue;
    const version = await versionOf(path);
    if (version && acceptable(name, version)) return { path, version, source };
  }
  return undefined;
}

function bicepPackageId(): string {
  const os = { linux: "linux", darwin: "osx", win32: "win" }[process.platform as string];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch as string];
  if (!os || !arch) throw new Error(`no Bicep CLI package for ${process.platform}/${process.arch}`);
  return `Azure.Bicep.CommandLine.${os}-${arch}`;
}

async function dotnetMajor(): Promise<string> {
  try {
    const { stdout } = await run("dotnet", ["--version"], { env: DOTNET_ENV });
    return stdout.trim().split(".")[0] ?? "";
  } catch {
    throw new Error("the .NET SDK (`dotnet`) is not installed");
  }
}

/** Restores into a private staging folder, then moves the result into place: parallel runs never see half a tool. */
async function restore(name: ToolName): Promise<FoundTool> {
  mkdirSync(toolsDir, { recursive: true });
  const stage = mkdtempSync(join(toolsDir, `.stage-${name}-`));
  const target = dirname(restoredPath(name));
  try {
    if (name === "bicep") {
      const packageId = bicepPackageId();
      // PackageDownload fetches a package without referencing it; restore needs a target framework, any will do.
      writeFileSync(
        join(stage, "restore.csproj"),
        `<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net${await dotnetMajor()}.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="${packageId}" Version="[${PINNED.bicep}]" /></ItemGroup>
</Project>
`,
      );
      await run("dotnet", ["restore", join(stage, "restore.csproj"), "--packages", join(stage, "packages")], {
        env: DOTNET_ENV,
        timeout: 600_000,
      });
      const tools = join(stage, "packages", packageId.toLowerCase(), PINNED.bicep, "tools");
      chmodSync(join(tools, exe("bicep")), 0o755); // NuGet does not keep the executable bit
      moveInto(tools, target);
    } else {
      await dotnetMajor();
      await run(
        "dotnet",
        ["tool", "install", "PowerShell", "--version", PINNED.pwsh, "--tool-path", join(stage, "pwsh")],
        {
          env: DOTNET_ENV,
          timeout: 600_000,
        },
      );
      moveInto(join(stage, "pwsh"), target);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const version = await versionOf(restoredPath(name));
  if (version !== PINNED[name])
    throw new Error(`restored ${name} reports version ${version ?? "(none)"}, expected ${PINNED[name]}`);
  return { path: restoredPath(name), version, source: "restored into .tools/" };
}

function moveInto(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    // Another run restored it first.
    if (!existsSync(to)) throw error;
  }
}

const HOW_TO_GET: Record<ToolName, string> = {
  bicep: `put Bicep CLI ${PINNED.bicep.split(".").slice(0, 2).join(".")} or newer on the PATH, or run \`az bicep install\` (~/.azure/bin/bicep), or install the .NET SDK so the tests restore it from NuGet`,
  pwsh: `put PowerShell 7 (pwsh) on the PATH, or install the .NET SDK so the tests restore it from NuGet (dotnet tool PowerShell ${PINNED.pwsh})`,
};

/** An installed tool, the one restored earlier, or a fresh restore; never throws. */
export async function locateTool(name: ToolName): Promise<ToolLookup> {
  try {
    const found = await installed(name);
    if (found) return found;
    if (existsSync(restoredPath(name))) {
      const version = await versionOf(restoredPath(name));
      if (version === PINNED[name]) return { path: restoredPath(name), version, source: "restored into .tools/" };
      rmSync(dirname(restoredPath(name)), { recursive: true, force: true }); // broken copy: restore again
    }
    return await restore(name);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      error: `${name} is needed by test/infra and could not be found or restored (${reason}): ${HOW_TO_GET[name]}.`,
    };
  }
}

export async function locateInfraTools(): Promise<Record<ToolName, ToolLookup>> {
  const [bicep, pwsh] = await Promise.all([locateTool("bicep"), locateTool("pwsh")]);
  return { bicep, pwsh };
}

export function describeTool(name: ToolName, tool: ToolLookup): string {
  return "error" in tool ? tool.error : `${name} ${tool.version} (${tool.source}: ${tool.path})`;
}
