import type { TestProject } from "vitest/node";
import { describeTool, locateInfraTools, type ToolLookup, type ToolName } from "../../dev/tools/infra-tools";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Bicep CLI and PowerShell for test/infra, or why they are missing (those tests then fail with it). */
    infraTools: Record<ToolName, ToolLookup>;
  }
}

/**
 * Runs once before the test workers: finds the Bicep CLI and pwsh, restoring
 * pinned copies into .tools/ when they are not installed (first run only).
 * A missing tool does not stop the other tests; the infra tests report it.
 */
export async function setup(project: TestProject): Promise<void> {
  const tools = await locateInfraTools();
  for (const [name, tool] of Object.entries(tools)) console.log(`infra tools: ${describeTool(name as ToolName, tool)}`);
  project.provide("infraTools", tools);
}
