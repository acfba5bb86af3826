import type { TestProject } from "vitest/node";
import { startAzurite, type AzuriteHandle } from "../../dev/azurite/start-azurite";
import { createLocalTls } from "../../dev/tls/local-tls";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    /** One certificate for every emulator of the run; test processes trust it via NODE_EXTRA_CA_CERTS. */
    localTls: { certPem: string; keyPem: string; certPath: string };
  }
}

let azurite: AzuriteHandle | undefined;

/**
 * Runs once before any test worker starts: one in-memory Azurite, and one
 * local certificate. NODE_EXTRA_CA_CERTS is read only at process start, so it
 * is set here, before vitest forks its workers, which inherit it; product code
 * under test then trusts the emulator exactly as a real deployment trusts ARM.
 */
export async function setup(project: TestProject): Promise<void> {
  const tls = await createLocalTls();
  process.env.NODE_EXTRA_CA_CERTS = tls.certPath;
  azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  project.provide("localTls", tls);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
