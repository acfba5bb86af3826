import type { TestProject } from "vitest/node";
import { startAzurite, type AzuriteHandle } from "../../dev/azurite/start-azurite";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

let azurite: AzuriteHandle | undefined;

/** One in-memory Azurite for the integration and end-to-end tests of the run (unit tests never start it). */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
