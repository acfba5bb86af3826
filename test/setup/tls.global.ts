import type { TestProject } from "vitest/node";
import { createLocalTls, type LocalTls } from "../../dev/tls/local-tls";

declare module "vitest" {
  export interface ProvidedContext {
    /** One certificate for every emulator of the run; test processes trust it via NODE_EXTRA_CA_CERTS. */
    localTls: { certPem: string; keyPem: string; certPath: string };
  }
}

// Every project of the run shares one certificate: NODE_EXTRA_CA_CERTS is one per process.
const shared = globalThis as { localTlsOfRun?: Promise<LocalTls> };

/**
 * Runs once per project before its test workers start: one local certificate
 * for the whole run. NODE_EXTRA_CA_CERTS is read only at process start, so it
 * is set here, before vitest forks its workers, which inherit it; product code
 * under test then trusts the emulator exactly as a real deployment trusts ARM.
 */
export async function setup(project: TestProject): Promise<void> {
  shared.localTlsOfRun ??= createLocalTls();
  const tls = await shared.localTlsOfRun;
  process.env.NODE_EXTRA_CA_CERTS = tls.certPath;
  project.provide("localTls", tls);
}
