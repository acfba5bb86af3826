import { parseResourceId } from "../../lib/azure";
import { parseArgsOrUsage, serviceIdArgument, subscriptionGuid, UsageError } from "../args";
import type { DoctorTarget } from "./estate";

export const DOCTOR_USAGE = `Usage:
  afs-identity doctor <storageSyncServiceId> | --subscription <id>
                      [--app <function app resource id>] [--json]
                      [--report FILE [--no-redact]]

Checks, reading only, whether a run can succeed in this tenant, and where
Azure answers differently than this product expects. Each line is ok, a
warning or a problem, with its remedy.

  --app        also check the deployed app: its identity and role
               assignments, the Event Grid system topic and subscription to
               its webhook, its app settings (names only)
  --json       the report as JSON on stdout
  --report     write the report as JSON to FILE, GUIDs and names of the
               estate replaced consistently (attach it to a bug report)
  --no-redact  keep GUIDs and names in the --report file

Exit codes: 0 ready; 2 problems; 1 error (the doctor could not finish).`;

export interface DoctorArgs {
  target: DoctorTarget;
  appId?: string;
  json: boolean;
  reportFile?: string;
  redact: boolean;
}

export function parseDoctorArgs(argv: string[]): DoctorArgs | "help" {
  const { values, positionals } = parseArgsOrUsage({
    args: argv,
    allowPositionals: true,
    options: {
      subscription: { type: "string" },
      app: { type: "string" },
      json: { type: "boolean", default: false },
      report: { type: "string" },
      "no-redact": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const [serviceId, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (values["no-redact"] && values.report === undefined) throw new UsageError("--no-redact only applies to --report");
  if (values.report !== undefined && values.report.trim() === "") throw new UsageError("--report needs a file name");
  let appId: string | undefined;
  if (values.app !== undefined) {
    appId = values.app.trim().replace(/\/+$/, "");
    let type: string | undefined;
    try {
      type = parseResourceId(appId).resourceType;
    } catch (error) {
      throw new UsageError(`--app: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (type?.toLowerCase() !== "microsoft.web/sites")
      throw new UsageError(
        `--app must be a function app resource id (…/providers/Microsoft.Web/sites/{name}), got "${appId.slice(0, 200)}"`,
      );
  }
  return {
    target: parseTarget(serviceId, values.subscription),
    ...(appId ? { appId } : {}),
    json: values.json,
    ...(values.report !== undefined ? { reportFile: values.report } : {}),
    redact: !values["no-redact"],
  };
}

/** One Storage Sync Service id or one `--subscription <id>`. */
function parseTarget(serviceId: string | undefined, subscriptionOption: string | undefined): DoctorTarget {
  const subscription = subscriptionOption?.trim();
  if (serviceId && subscription)
    throw new UsageError("give either a Storage Sync Service id or --subscription, not both");
  if (!serviceId && !subscription) throw new UsageError("missing Storage Sync Service id (or --subscription <id>)");
  if (subscription !== undefined) return { subscriptionId: subscriptionGuid(subscription) };
  return { serviceId: serviceIdArgument(serviceId as string) };
}
