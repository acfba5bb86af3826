import { createCredential } from "../../lib/azure";
import { ConfigError, loadEngineConfig } from "../../lib/config";
import { UsageError } from "../args";
import { EXIT } from "../exit-code";
import type { CliIo } from "../io";
import { parseStatusArgs, STATUS_USAGE, type StatusArgs } from "./args";
import { formatStatus } from "./format";
import { readStatus, StatusReadError } from "./source";
import { buildView } from "./view";

/** `afs-identity status …`: 0 when every service is converged, 2 when not, 1 on an error. */
export async function runStatus(argv: string[], io: CliIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  let args: StatusArgs | "help";
  try {
    args = parseStatusArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`afs-identity status: ${error.message}\n\n${STATUS_USAGE}`);
    return EXIT.error;
  }
  if (args === "help") {
    io.stdout.write(`${STATUS_USAGE}\n`);
    return EXIT.converged;
  }
  // Built only for an identity-based --tables: AZURE_CLIENT_ID picks a user-assigned identity, as for ARM.
  const credential = () =>
    createCredential({ managedIdentityClientId: loadEngineConfig(io.env).managedIdentityClientId });
  let snapshot;
  try {
    snapshot = await readStatus(args.target, { credential, signal: io.signal });
  } catch (error) {
    if (!(error instanceof StatusReadError || error instanceof ConfigError)) throw error;
    say(`afs-identity status: ${error.message}`);
    return EXIT.error;
  }
  const view = buildView(snapshot);
  const exitCode = view.converged ? EXIT.converged : EXIT.incomplete;
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify({ exitCode, converged: view.converged, source: view.source, totals: view.totals, services: view.services, verdicts: view.verdicts, attention: view.attention }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(`${formatStatus(view)}\n`);
  }
  return exitCode;
}
