import type { AppLog } from "../ports/log";
import type { SignInMode } from "../sign-in-mode";
import { reconcileAllInScope, type SweepDeps } from "../sweep/sweep";
import { requestReconcile, type Scheduled } from "../scheduling/schedule";
import { apiBase, apiError, json, type ApiRequest, type ApiResponse } from "./api-types";
import { callerOf } from "./caller";
import { checkServiceId } from "./resource-ids";
import { reconcileBodySchema } from "./schemas";

const MAX_BODY = 16 * 1024;

/** POST /api/reconcile — { serviceId } or { all: true }, optional dryRun → 202 + Location. */
export async function postReconcile(
  deps: SweepDeps,
  request: ApiRequest,
  log: AppLog,
  signIn: SignInMode = deps.config.statusPageSignIn,
): Promise<ApiResponse> {
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY)
    return apiError(413, "BodyTooLarge", `the body must be at most ${MAX_BODY} bytes`);
  let body: unknown;
  try {
    // A UTF-8 byte order mark (Windows PowerShell's Out-File/Set-Content add one) is not part of the JSON.
    body = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return apiError(
      400,
      "InvalidJson",
      'the body must be JSON, e.g. {"serviceId":"/subscriptions/…/storageSyncServices/name","dryRun":true}',
    );
  }
  const parsed = reconcileBodySchema.safeParse(body);
  if (!parsed.success) {
    return apiError(
      400,
      "InvalidRequest",
      parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  }
  const trigger = callerOf(request, signIn);
  const base = apiBase(request.url);
  const accepted = (run: Scheduled) => ({
    serviceId: run.serviceId,
    runId: run.runId,
    coalesced: run.coalesced,
    statusUrl: `${base}/runs/${run.runId}`,
  });

  if (parsed.data.all) {
    let result;
    try {
      result = await reconcileAllInScope(deps, trigger, { dryRun: parsed.data.dryRun }, log);
    } catch (error) {
      return apiError(502, "ScopeListingFailed", (error as Error).message);
    }
    return json(
      202,
      { runs: result.runs.map(accepted), failedScopes: result.failedScopes },
      { location: `${base}/services` },
    );
  }
  const id = checkServiceId(parsed.data.serviceId, deps.config.managedScopes);
  if (!id.ok) return id.response;
  const deletion = await serviceDeletion(deps, id.serviceId, log);
  if (deletion) return apiError(404, deletion.code, `${id.serviceId} does not exist: ${deletion.message}`);
  const run = await requestReconcile(
    deps.scheduler,
    { serviceId: id.serviceId, trigger, dryRun: parsed.data.dryRun },
    deps.now(),
    log,
  );
  log.info(
    `${id.serviceId}: re-run requested by ${trigger.caller} (run ${run.runId}${run.coalesced ? ", merged" : ""})`,
  );
  return json(202, { runs: [accepted(run)] }, { location: `${base}/runs/${run.runId}` });
}

/**
 * One ARM GET of the service before queueing, so a re-run of a service that
 * does not exist answers ARM's 404 instead of queueing a run that can only
 * fail. A failure that says nothing about existence (403, throttling, network)
 * does not block the request: the run itself records what ARM answers.
 */
async function serviceDeletion(deps: SweepDeps, serviceId: string, log: AppLog) {
  try {
    return await deps.engine.serviceDeletion(serviceId);
  } catch (error) {
    log.warn(
      `${serviceId}: could not check that the service exists before queueing (${deps.engine.errorInfo(error).message}); queueing anyway`,
    );
    return undefined;
  }
}
