import { writeFile } from "node:fs/promises";
import { createArmConnection, type ArmConnection, toArmErrorInfo, createCredential, ROLE } from "../../lib/azure";
import { loadEngineConfig, type EngineConfig } from "../../lib/config";
import { UsageError } from "../args";
import type { CliIo } from "../io";
import { DOCTOR_USAGE, parseDoctorArgs, type DoctorArgs } from "./args";
import { signedInCaller, type Caller } from "./caller";
import { check, type Check, type CheckArea } from "./check";
import { readEstate, serviceIdsOf, subscriptionsInScope, type Estate } from "./estate";
import { ExchangeLog } from "./exchange-log";
import { formatDoctorReport } from "./format";
import { checkLimits } from "./limits";
import { checkFileSyncAdministratorRole, checkServerPrincipals, FILE_SYNC_ADMINISTRATOR } from "./product-assumptions";
import { checkProviders } from "./providers";
import { readOnlyGuardPolicy } from "./read-only-guard";
import { Redactor } from "./redact";
import { DOCTOR_EXIT, doctorExitCode, summaryOf, type DoctorReport } from "./report";
import { checkCallerRights } from "./rights";
import { specConformanceChecks } from "./spec-conformance";
import { checkWhoAndWhere } from "./who-and-where";
import { checkWiring } from "./wiring";

/** Built-in role ids are Azure's public constants, not the estate's: a redacted report keeps them. */
const PUBLIC_GUIDS = new Set([...Object.values(ROLE), FILE_SYNC_ADMINISTRATOR]);

interface Session {
  arm: ArmConnection;
  log: ExchangeLog;
  config: EngineConfig;
  caller: Caller;
}

/** Runs one area; an area that cannot finish is a problem line, and the doctor exits 1. */
async function area(area: CheckArea, run: () => Promise<Check[]>, failed: { any: boolean }): Promise<Check[]> {
  try {
    return await run();
  } catch (error) {
    failed.any = true;
    const info = toArmErrorInfo(error);
    return [
      check(area, "problem", `could not finish this check: ${info.code}: ${info.message}`, {
        evidence: { requestId: info.requestId },
      }),
    ];
  }
}

async function diagnose(
  args: DoctorArgs,
  s: Session,
  say: (line: string) => void,
): Promise<{ checks: Check[]; incomplete: boolean; estate: Estate }> {
  const failed = { any: false };
  say("Reading the estate (reads only)…");
  const serviceIds = await serviceIdsOf(s.arm, args.target);
  const estate = await readEstate(s.arm, serviceIds, s.config);
  const subscriptions = subscriptionsInScope(estate, args.target);
  const checks: Check[] = [];
  if (serviceIds.length === 0)
    checks.push(check("who", "warning", "no Storage Sync Service in scope", { remedy: "check the subscription id" }));
  const pruning = s.config.pruneStaleGrants === true;
  checks.push(...(await area("who", () => checkWhoAndWhere(s.arm, s.caller, subscriptions, estate), failed)));
  checks.push(...(await area("rights", () => checkCallerRights(s.arm, estate, pruning), failed)));
  checks.push(...(await area("providers", () => checkProviders(s.arm, subscriptions), failed)));
  checks.push(...(await area("limits", () => checkLimits(s.arm, estate), failed)));
  if (args.appId)
    checks.push(...(await area("wiring", () => checkWiring(s.arm, args.appId as string, estate, pruning), failed)));
  const firstSubscription = subscriptions[0];
  if (firstSubscription)
    checks.push(
      ...(await area("conformance", () => checkFileSyncAdministratorRole(s.arm, firstSubscription, s.log), failed)),
    );
  checks.push(...(await area("conformance", () => checkServerPrincipals(s.arm, estate, s.log), failed)));
  // Last: every answer read above, this area's own included.
  const spec = specConformanceChecks(s.log.exchanges);
  checks.push(
    ...(spec.length > 0
      ? spec
      : [check("conformance", "ok", `all ${s.log.exchanges.length} ARM answers match the REST specifications`)]),
  );
  return { checks, incomplete: failed.any, estate };
}

/** Names of the estate that ARM ids do not carry (host and server names), for the redacted report. */
function estateNames(estate: Estate, caller: Caller): string[] {
  const names: string[] = [];
  for (const s of estate.services) {
    for (const server of s.snapshot.servers)
      names.push(
        ...[server.name, server.serverName, server.friendlyName, server.clusterName].filter((n): n is string => !!n),
      );
    for (const g of s.snapshot.syncGroups)
      for (const c of g.cloudEndpoints) if (c.azureFileShareName) names.push(c.azureFileShareName);
  }
  if (caller.name) names.push(caller.name);
  return names;
}

/** `afs-identity doctor`: returns the exit code. */
export async function runDoctor(argv: string[], io: CliIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  let args: DoctorArgs | "help";
  try {
    args = parseDoctorArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`afs-identity doctor: ${error.message}\n\n${DOCTOR_USAGE}`);
    return DOCTOR_EXIT.error;
  }
  if (args === "help") {
    io.stdout.write(`${DOCTOR_USAGE}\n`);
    return DOCTOR_EXIT.ready;
  }
  let session: Session;
  try {
    const config = loadEngineConfig(io.env);
    const credential = createCredential({ managedIdentityClientId: config.managedIdentityClientId });
    const log = new ExchangeLog();
    const arm = createArmConnection({
      endpoint: config.armEndpoint,
      credential,
      policies: [readOnlyGuardPolicy(), log.policy()],
    });
    const caller = await signedInCaller(credential, `${arm.endpoint}/.default`);
    session = { arm, log, config, caller };
  } catch (error) {
    say(`afs-identity doctor: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return DOCTOR_EXIT.error;
  }
  let result: Awaited<ReturnType<typeof diagnose>>;
  try {
    result = await diagnose(args, session, say);
  } catch (error) {
    const info = toArmErrorInfo(error);
    say(
      `afs-identity doctor: cannot read the estate: ${info.code}: ${info.message}${info.requestId ? ` (request id ${info.requestId})` : ""}`,
    );
    return DOCTOR_EXIT.error;
  }
  const exitCode = doctorExitCode(result.checks, result.incomplete);
  const report: DoctorReport = {
    command: "doctor",
    generatedAt: new Date().toISOString(),
    target: args.target,
    ...(args.appId ? { app: args.appId } : {}),
    caller: session.caller,
    checks: result.checks,
    summary: summaryOf(result.checks),
    exitCode,
    redacted: false,
  };
  io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
  if (args.reportFile) {
    const written = args.redact
      ? {
          ...new Redactor(report, estateNames(result.estate, session.caller), PUBLIC_GUIDS).apply(report),
          redacted: true,
        }
      : report;
    try {
      await writeFile(args.reportFile, `${JSON.stringify(written, null, 2)}\n`, "utf8");
      say(`Report written to ${args.reportFile}${args.redact ? " (GUIDs and names replaced)" : ""}.`);
    } catch (error) {
      say(
        `afs-identity doctor: cannot write ${args.reportFile}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return DOCTOR_EXIT.error;
    }
  }
  return exitCode;
}
