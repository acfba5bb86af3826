import { tableNamePrefixSchema } from "../../lib/config";
import { parseArgsOrUsage, UsageError } from "../args";

export const STATUS_USAGE = `Usage:
  afs-identity status --url <app URL> [--json]
  afs-identity status --tables <table endpoint URL | connection string> [--table-prefix <prefix>] [--json]

Shows what the deployed app recorded: every Storage Sync Service with its
servers' counts by state, and the servers that need someone (Failed,
ActivationOverdue), as a table or --json.

  --url           the Function App (https://<app>.azurewebsites.net); its status
                  API is called with the function key in AFS_IDENTITY_KEY
  --tables        the app's storage account, read directly: its table endpoint
                  (https://<account>.table.core.windows.net, with
                  DefaultAzureCredential: needs Storage Table Data Reader) or a
                  connection string (UseDevelopmentStorage=true for Azurite)
  --table-prefix  the app's TABLE_NAME_PREFIX (default: TABLE_NAME_PREFIX from
                  the environment, else afsIdentity)
  --json          machine-readable view on stdout

Exit codes: 0 every service converged; 2 some service is not (or none has
been recorded); 1 error.`;

/** Where the status is read from. */
export type StatusTarget =
  | { kind: "api"; apiUrl: string; key: string; allowInsecureConnection: boolean }
  | { kind: "tables"; connectionString: string; prefix: string }
  | { kind: "tables"; tableServiceUri: string; prefix: string };

export interface StatusArgs {
  target: StatusTarget;
  json: boolean;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
export const KEY_VARIABLE = "AFS_IDENTITY_KEY";

function parseUrl(text: string, option: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UsageError(`${option} must be a URL, got "${text.slice(0, 200)}"`);
  }
}

/** The app's API root (…/api) from the app URL, with or without /api. */
function apiTarget(text: string, env: NodeJS.ProcessEnv): StatusTarget {
  const url = parseUrl(text.trim(), "--url");
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new UsageError(
      `--url must use https (the function key is never sent over plain http; http only to localhost), got "${text.slice(0, 200)}"`,
    );
  }
  if (url.search || url.hash)
    throw new UsageError(
      "--url takes the app's address only, without ?query or #fragment (the key goes in AFS_IDENTITY_KEY)",
    );
  const key = env[KEY_VARIABLE]?.trim();
  if (!key)
    throw new UsageError(
      `--url needs a function key of the app in ${KEY_VARIABLE} (Function App → App keys, or \`npm start\`'s printed key locally)`,
    );
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api$/i, "");
  return { kind: "api", apiUrl: `${url.origin}${path}/api`, key, allowInsecureConnection: url.protocol === "http:" };
}

function tablesTarget(text: string, prefix: string): StatusTarget {
  const value = text.trim();
  if (/^https?:\/\//i.test(value)) {
    const url = parseUrl(value, "--tables");
    if (url.protocol !== "https:")
      throw new UsageError(
        "--tables: an identity-based connection needs the https table endpoint (for Azurite, give its connection string)",
      );
    return { kind: "tables", tableServiceUri: `${url.origin}${url.pathname.replace(/\/+$/, "")}`, prefix };
  }
  if (
    /^UseDevelopmentStorage=true$/i.test(value) ||
    /(^|;)\s*(AccountName|TableEndpoint|SharedAccessSignature)\s*=/i.test(value)
  ) {
    return { kind: "tables", connectionString: value, prefix };
  }
  throw new UsageError(
    `--tables must be a table endpoint (https://<account>.table.core.windows.net) or a storage connection string (AccountName=…;AccountKey=…, UseDevelopmentStorage=true), got "${value.slice(0, 60)}"`,
  );
}

/** Parses the arguments after `status`; throws UsageError saying what is wrong. */
export function parseStatusArgs(argv: string[], env: NodeJS.ProcessEnv): StatusArgs | "help" {
  const { values, positionals } = parseArgsOrUsage({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      tables: { type: "string" },
      "table-prefix": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
  if (values.url !== undefined && values.tables !== undefined)
    throw new UsageError("give either --url or --tables, not both");
  if (values.url === undefined && values.tables === undefined)
    throw new UsageError("status needs --url <app URL> or --tables <table endpoint | connection string>");
  if (values.url !== undefined) {
    if (values["table-prefix"] !== undefined)
      throw new UsageError("--table-prefix only applies to --tables (the app knows its own)");
    return { target: apiTarget(values.url, env), json: values.json };
  }
  const prefixText = values["table-prefix"] ?? (env.TABLE_NAME_PREFIX?.trim() || "afsIdentity");
  const prefix = tableNamePrefixSchema.safeParse(prefixText);
  if (!prefix.success)
    throw new UsageError(
      `--table-prefix: ${prefix.error.issues[0]?.message ?? "invalid"}, got "${prefixText.slice(0, 60)}"`,
    );
  return { target: tablesTarget(values.tables ?? "", prefix.data), json: values.json };
}
