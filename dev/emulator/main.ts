import { formatEnvFile, writeEnvFile } from "./env-file";
import { parseArgs } from "node:util";
import { startEmulator, type EmulatorDelays } from "./index";

/**
 * `npm run emulator -- --port <P> --seed <file> --env-out <file> [--lro sync|async]
 *  [--enforce-rbac] [--webhook URL]… [--discovery-ms N] [--activation-ms N]
 *  [--replication-ms N] [--lro-ms N] [--retry-after S]`
 * Starts the emulator standalone and writes KEY=VALUE lines for `set -a; . file`.
 */
const USAGE =
  "usage: npm run emulator -- [--port P] [--seed FILE] [--env-out FILE] [--lro sync|async] [--enforce-rbac] [--webhook URL]... [--discovery-ms N] [--activation-ms N] [--replication-ms N] [--lro-ms N] [--retry-after S]";

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      "env-out": { type: "string" },
      lro: { type: "string" },
      "enforce-rbac": { type: "boolean" },
      webhook: { type: "string", multiple: true },
      "discovery-ms": { type: "string" },
      "activation-ms": { type: "string" },
      "replication-ms": { type: "string" },
      "lro-ms": { type: "string" },
      "retry-after": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.lro !== undefined && values.lro !== "sync" && values.lro !== "async")
    throw new Error(`--lro must be sync or async, got '${values.lro}'`);
  const delays: Partial<EmulatorDelays> = {};
  const entries: [keyof EmulatorDelays, string][] = [
    ["discoveryMs", "discovery-ms"],
    ["activationMs", "activation-ms"],
    ["principalReplicationMs", "replication-ms"],
    ["lroMs", "lro-ms"],
    ["retryAfterSeconds", "retry-after"],
  ];
  for (const [key, flag] of entries) {
    const v = numberOption(flag, values[flag as keyof typeof values] as string | undefined);
    if (v !== undefined) delays[key] = v;
  }
  const emulator = await startEmulator({
    port: numberOption("port", values.port),
    seed: values.seed,
    lroMode: values.lro as "sync" | "async" | undefined,
    enforceRbac: values["enforce-rbac"] ?? false,
    webhooks: values.webhook ?? [],
    delays,
  });
  const envText = formatEnvFile(emulator.env);
  if (values["env-out"]) writeEnvFile(values["env-out"], emulator.env);
  console.log(`Azure control-plane emulator listening on ${emulator.armEndpoint}`);
  console.log(envText.trimEnd());
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(`emulator: ${e instanceof Error ? e.message : String(e)}`);
  console.error(USAGE);
  process.exit(1);
});
