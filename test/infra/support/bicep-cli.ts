/**
 * The real Bicep CLI for the infra checks: `bicep build` / `bicep lint` as a
 * contributor runs them, and `bicep jsonrpc` (one process per test file) for
 * compiled templates and deployment snapshots of many parameter sets.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from "vscode-jsonrpc/node";
import { repoRoot, type ToolName } from "../../../dev/tools/infra-tools";

export { repoRoot };

/** The path of a tool the global setup found or restored; fails the calling test with the reason otherwise. */
export function toolPath(name: ToolName): string {
  const tool = inject("infraTools")[name];
  if ("error" in tool) throw new Error(tool.error);
  return tool.path;
}

/** One diagnostic line of the CLI: `path(line,col) : Level CODE: message`. */
export interface CliDiagnostic {
  file: string;
  level: string;
  code: string;
  text: string;
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\) : (Error|Warning|Info) ([\w-]+): (.*)$/;

/** Runs the Bicep CLI; every diagnostic it prints, and any other output on stderr (a crash, a usage error). */
export async function bicepCli(
  args: string[],
  cwd = repoRoot,
): Promise<{ diagnostics: CliDiagnostic[]; other: string[]; exitCode: number }> {
  const result = await promisify(execFile)(toolPath("bicep"), args, { cwd, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ ...r, exitCode: 0 }),
    (e: { stdout?: string; stderr?: string; code?: number }) => ({
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
      exitCode: e.code ?? 1,
    }),
  );
  const diagnostics: CliDiagnostic[] = [];
  const other: string[] = [];
  for (const line of result.stderr.split(/\r?\n/).filter((l) => l.trim().length > 0)) {
    const m = DIAGNOSTIC.exec(line);
    if (m)
      diagnostics.push({
        file: relative(cwd, m[1] as string),
        level: m[4] as string,
        code: m[5] as string,
        text: line,
      });
    else other.push(line);
  }
  return { diagnostics, other, exitCode: result.exitCode };
}

/** An ARM template parameter as Bicep compiles it. */
export interface ArmParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  metadata?: { description?: string };
}

export interface ArmTemplate {
  parameters?: Record<string, ArmParameter>;
  outputs?: Record<string, { type: string }>;
  resources: unknown;
}

/** A resource the deployment would create, with every value Bicep could evaluate before deployment. */
export interface PredictedResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  location?: string;
  kind?: string;
  sku?: Record<string, unknown>;
  identity?: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

export interface Snapshot {
  predictedResources: PredictedResource[];
  diagnostics: unknown[];
  outputs: Record<string, unknown>;
}

/** The deployment context of every snapshot: the subscription azd deploys to. */
export const DEPLOYMENT = {
  tenantId: "3c2d1e0f-9a8b-4c7d-8e6f-5a4b3c2d1e0f",
  subscriptionId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
  location: "westeurope",
} as const;

/** A value Bicep leaves for ARM to evaluate at deployment time, e.g. `[reference(...).principalId]`. */
export function isDeploymentTimeValue(value: unknown): boolean {
  return typeof value === "string" && value.startsWith("[") && value.endsWith("]");
}

interface RpcDiagnostic {
  source: string;
  range: { start: { line: number; char: number } };
  level: string;
  code: string;
  message: string;
}

/** A `bicep jsonrpc --stdio` process. */
export class BicepServer {
  private readonly scratch = mkdtempSync(join(tmpdir(), "afsid-bicep-"));
  private cases = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: MessageConnection,
  ) {}

  static start(): BicepServer {
    const child = spawn(toolPath("bicep"), ["jsonrpc", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
    if (!child.stdout || !child.stdin) throw new Error("bicep jsonrpc: no stdio");
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    connection.listen();
    return new BicepServer(child, connection);
  }

  /** Compiles a template (path relative to the repository); fails on any error, warning or linter finding. */
  async compile(path: string): Promise<ArmTemplate> {
    const result = await this.connection.sendRequest<{
      success: boolean;
      diagnostics: RpcDiagnostic[];
      contents?: string;
    }>("bicep/compile", {
      path: join(repoRoot, path),
    });
    const findings = result.diagnostics.map(
      (d) =>
        `${relative(repoRoot, d.source)}(${d.range.start.line + 1},${d.range.start.char + 1}) ${d.level} ${d.code}: ${d.message}`,
    );
    if (!result.success || findings.length > 0 || !result.contents)
      throw new Error(`bicep compile ${path}:\n${findings.join("\n")}`);
    return JSON.parse(result.contents) as ArmTemplate;
  }

  /**
   * What deploying `template` (e.g. `infra/main.bicep`) with these parameters
   * would create: Bicep's own evaluation of every expression it can evaluate
   * before deployment. The values reach Bicep as JSON (loadJsonContent), so
   * any string survives unescaped.
   */
  async snapshot(template: string, parameters: Record<string, unknown>): Promise<Snapshot> {
    const name = `case-${++this.cases}`;
    writeFileSync(join(this.scratch, `${name}.json`), JSON.stringify(parameters));
    const lines = [
      `using '${relative(this.scratch, join(repoRoot, template)).split("\\").join("/")}'`,
      `var inputs = loadJsonContent('${name}.json')`,
      ...Object.keys(parameters).map((key) => `param ${key} = inputs.${key}`),
    ];
    writeFileSync(join(this.scratch, `${name}.bicepparam`), `${lines.join("\n")}\n`);
    const { snapshot } = await this.connection.sendRequest<{ snapshot: string }>("bicep/getSnapshot", {
      path: join(this.scratch, `${name}.bicepparam`),
      metadata: {
        tenantId: DEPLOYMENT.tenantId,
        subscriptionId: DEPLOYMENT.subscriptionId,
        location: DEPLOYMENT.location,
      },
    });
    const parsed = JSON.parse(snapshot) as Snapshot;
    if (parsed.diagnostics.length > 0)
      throw new Error(`bicep snapshot of ${template}: ${JSON.stringify(parsed.diagnostics)}`);
    return parsed;
  }

  async close(): Promise<void> {
    this.connection.dispose();
    this.child.stdin?.end();
    if (this.child.exitCode === null) await new Promise((resolve) => this.child.once("exit", resolve));
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
