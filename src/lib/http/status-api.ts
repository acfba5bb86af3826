import type { Config } from "../config";
import type { StoreTables } from "../tables/clients";
import { isWithinScopes } from "../azure";
import { resourceKey } from "../tables/keys";
import {
  countByState,
  sumCounts,
  isServerState,
  SERVER_STATES,
  type ServerRecord,
  getRun,
  runFromEntity,
  listRunWrites,
  listDuplicateDeliveriesOf,
  getCurrentLease,
  withAbandonment,
  listServerRows,
  listServerRowsByState,
  getServiceRow,
  listServiceRows,
  quotasBySubscription,
} from "../store";
import type { RunDetail } from "./schemas";
import { isRunId } from "../tables/run-id";
import { apiError, json, type ApiRequest, type ApiResponse } from "./api-types";
import { checkServiceId } from "./resource-ids";

/** What the status routes read. */
export interface StatusApiDeps {
  config: Pick<Config, "managedScopes" | "leaseDurationMs">;
  tables: Pick<StoreTables, "leases" | "runs" | "servers" | "services" | "writes">;
  now(): Date;
}

const queryOf = (request: ApiRequest): URLSearchParams => new URL(request.url).searchParams;

function stateParam(
  request: ApiRequest,
  required: boolean,
): { ok: true; state?: ServerRecord["state"] } | { ok: false; response: ApiResponse } {
  const value = queryOf(request).get("state");
  if (value === null || value === "") {
    return required
      ? { ok: false, response: apiError(400, "MissingState", `state is required: one of ${SERVER_STATES.join(", ")}`) }
      : { ok: true };
  }
  const match = SERVER_STATES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!match || !isServerState(match)) {
    return {
      ok: false,
      response: apiError(
        400,
        "InvalidState",
        `state "${value.slice(0, 50)}" is not one of ${SERVER_STATES.join(", ")}`,
      ),
    };
  }
  return { ok: true, state: match };
}

/**
 * GET /api/services — every service in scope with counts by state, plus totals.
 * The counts are the ones stored on each service row (one read for all
 * services): as of that service's last completed write, so a run that died
 * between its server rows and its service row shows the previous counts here
 * until a later run (or activation check) writes the service row again.
 */
export async function getServices(deps: StatusApiDeps): Promise<ApiResponse> {
  const services = (await listServiceRows(deps.tables.services)).filter((s) =>
    isWithinScopes(s.serviceId, deps.config.managedScopes),
  );
  // A service deleted in Azure keeps its row (with deletedAt) for the record; its stale counts are not totalled.
  const live = services.filter((s) => !s.deletedAt);
  const totals = sumCounts(live.map((s) => s.counts));
  return json(200, {
    services,
    totals,
    roleAssignmentQuotas: quotasBySubscription(live.map((s) => s.roleAssignmentQuotas ?? [])),
  });
}

/** GET /api/service?id=…[&state=…] — one service, its servers, its latest runs. */
export async function getServiceDetail(deps: StatusApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const id = checkServiceId(queryOf(request).get("id") ?? undefined, deps.config.managedScopes, "id");
  if (!id.ok) return id.response;
  const state = stateParam(request, false);
  if (!state.ok) return state.response;
  // The four reads are independent: in parallel, the answer costs about the slowest of them (the
  // 100 server rows), not their sum.
  const [service, serverRows, lease, runEntities] = await Promise.all([
    getServiceRow(deps.tables.services, id.serviceId),
    listServerRows(deps.tables.servers, id.serviceId),
    getCurrentLease(deps.tables.leases, id.serviceId, deps.now()),
    newestRunEntities(deps.tables.runs, id.serviceId, RECENT_RUNS),
  ]);
  if (!service)
    return apiError(404, "NotFound", `no status recorded for ${id.serviceId} yet; POST /api/reconcile to run it`);
  const rows = serverRows.map((s) => s.record);
  // Counted from the server rows read here, not the stored counts: a run that died between
  // writing its server rows and its service row leaves the stored counts from the run before,
  // which would disagree with the servers listed. Counted before the state filter: they describe the service.
  const record = { ...service.record, counts: countByState(rows) };
  const servers = rows
    .filter((s) => state.state === undefined || s.state === state.state)
    .sort((a, b) => a.name.localeCompare(b.name));
  const recentRuns = [];
  for (const e of runEntities) {
    const stored = runFromEntity(e);
    const run = stored && withAbandonment(stored, deps.now(), deps.config.leaseDurationMs, lease);
    if (run)
      recentRuns.push({
        runId: run.runId,
        status: run.status,
        dryRun: run.dryRun,
        queuedAt: run.queuedAt,
        finishedAt: run.finishedAt,
        triggerKind: run.trigger?.kind,
      });
    if (recentRuns.length >= RECENT_RUNS) break;
  }
  return json(200, { service: record, servers, recentRuns });
}

const RECENT_RUNS = 10;

/** The columns a run summary needs: a run row also holds its plan, outcomes and servers, up to hundreds of KB. */
const RUN_SUMMARY_COLUMNS = [
  "runId",
  "serviceId",
  "status",
  "dryRun",
  "trigger",
  "trigger_chunks",
  "trigger_1",
  "trigger_2",
  "queuedAt",
  "startedAt",
  "finishedAt",
  "error",
];

/**
 * The newest run rows of a service (run row keys sort newest first within its
 * partition), only their summary columns, a page of `count` at a time: a
 * service with thousands of runs must not have its first 1000 full run
 * records fetched to show 10.
 */
async function newestRunEntities(
  runs: StatusApiDeps["tables"]["runs"],
  serviceId: string,
  count: number,
): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  const pages = runs
    .listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${resourceKey(serviceId)}'`, select: RUN_SUMMARY_COLUMNS },
    })
    .byPage({ maxPageSize: count });
  for await (const page of pages) {
    out.push(...page);
    if (out.length >= count) break;
  }
  return out;
}

/** GET /api/servers?state=… — servers in one state across the services in scope. */
export async function getServersByState(deps: StatusApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const state = stateParam(request, true);
  if (!state.ok) return state.response;
  const servers = (await listServerRowsByState(deps.tables.servers, state.state as ServerRecord["state"])).filter((s) =>
    isWithinScopes(s.serviceId, deps.config.managedScopes),
  );
  return json(200, { state: state.state, servers });
}

/** GET /api/runs/{runId} — one run's audit record. */
export async function getRunRecord(deps: StatusApiDeps, request: ApiRequest): Promise<ApiResponse> {
  // Run ids are lower-case hex; a caller that upper-cased one still means that run.
  const runId = (request.params.runId ?? "").toLowerCase();
  if (!isRunId(runId))
    return apiError(
      400,
      "InvalidRunId",
      `"${runId.slice(0, 100)}" is not a run id (as returned by POST /api/reconcile)`,
    );
  const run = await getRun(deps.tables.runs, runId);
  if (!run) return apiError(404, "NotFound", `no run ${runId}`);
  if (!isWithinScopes(run.serviceId, deps.config.managedScopes))
    return apiError(403, "OutsideScope", `run ${runId} belongs to a service outside MANAGED_SCOPES`);
  const lease =
    run.status === "running" ? await getCurrentLease(deps.tables.leases, run.serviceId, deps.now()) : undefined;
  const [journal, duplicates] = await Promise.all([
    listRunWrites(deps.tables.writes, runId),
    listDuplicateDeliveriesOf(deps.tables.runs, runId),
  ]);
  const writes = journal.map(({ rowKey: _rowKey, etag: _etag, ...write }) => write);
  const duplicateDeliveries = duplicates.map(({ runStatus, dequeueCount, receivedAt }) => ({
    runStatus,
    dequeueCount,
    receivedAt,
  }));
  const detail: RunDetail = {
    ...withAbandonment(run, deps.now(), deps.config.leaseDurationMs, lease),
    writes,
    duplicateDeliveries,
  };
  return json(200, detail);
}
