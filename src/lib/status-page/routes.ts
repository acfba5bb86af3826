import type { SignInMode } from "../sign-in-mode";
import type { AppLog } from "../ports/log";
import { isWithinScopes } from "../azure";
import type { ApiErrorBody, ApiRequest, ApiResponse } from "../http/api-types";
import { postReconcile } from "../http/reconcile-api";
import { getRunRecord, getServiceDetail, getServices, type StatusApiDeps } from "../http/status-api";
import type { SweepDeps } from "../sweep/sweep";
import { listAllServerRows, listEstateDays, listEstateScopes } from "../store";
import { html } from "./html";
import { layout, type PageFrame } from "./layout";
import { pageLinks } from "./links";
import { overviewPage } from "./overview-view";
import { htmlResponse, redirect, type PageResponse } from "./page-response";
import { runPage } from "./run-view";
import { checkSameOrigin } from "./security";
import { serverPage, servicePage } from "./service-view";
import { loginUrl, signedInUser } from "./sign-in";
import type { RunView, ServerView, ServiceDetailView, ServiceView } from "./view-types";

const MAX_FORM_BYTES = 4 * 1024;

/** What the pages need: the status API's reads and the reconcile API's scheduling, which they call. */
export type StatusPageDeps = StatusApiDeps & SweepDeps;

type Frame = Omit<PageFrame, "title" | "trail" | "refreshSeconds">;

function errorPage(frame: Frame, status: number, title: string, message: string): PageResponse {
  return htmlResponse(
    status,
    layout({ ...frame, title }, html`<h1>${title}</h1><p class="alert" role="alert">${message}</p>`),
  );
}

/** An API answer that is not a success, as a page saying what the API said. */
function apiFailure(frame: Frame, response: ApiResponse): PageResponse {
  const body = response.jsonBody as Partial<ApiErrorBody> | undefined;
  const message = body?.error?.message ?? `the request failed with HTTP ${response.status}`;
  const title =
    response.status === 404 ? "Not found" : response.status === 403 ? "Outside this app's scopes" : "Cannot show this";
  return errorPage(frame, response.status, title, message);
}

/** The same request with another URL (query) or body, for calling the API's own handlers. */
function derived(request: ApiRequest, url: string, params: Record<string, string | undefined>, body = ""): ApiRequest {
  return { method: request.method, url, params, headers: request.headers, text: () => Promise.resolve(body) };
}

async function overview(deps: StatusPageDeps, frame: Frame): Promise<PageResponse> {
  const listed = await getServices(deps);
  const services = (listed.jsonBody as { services: ServiceView[] }).services;
  const byService = new Map<string, ServerView[]>();
  for (const server of await listAllServerRows(deps.tables.servers)) {
    if (!isWithinScopes(server.serviceId, deps.config.managedScopes)) continue;
    const key = server.serviceId.toLowerCase();
    byService.set(key, [...(byService.get(key) ?? []), server]);
  }
  const table = deps.tables.services;
  const now = deps.now();
  const [scopes, days] = await Promise.all([listEstateScopes(table), listEstateDays(table, now)]);
  return htmlResponse(
    200,
    overviewPage(frame, services, byService, { managedScopes: deps.config.managedScopes, scopes, days, now }),
  );
}

async function service(deps: StatusPageDeps, request: ApiRequest, frame: Frame): Promise<PageResponse> {
  const id = new URL(request.url).searchParams.get("id") ?? "";
  const api = new URL(request.url);
  api.search = new URLSearchParams({ id }).toString();
  const response = await getServiceDetail(deps, derived(request, api.toString(), {}));
  if (response.status !== 200) return apiFailure(frame, response);
  return htmlResponse(200, servicePage(frame, response.jsonBody as ServiceDetailView));
}

async function server(deps: StatusPageDeps, request: ApiRequest, frame: Frame): Promise<PageResponse> {
  const query = new URL(request.url).searchParams;
  const api = new URL(request.url);
  api.search = new URLSearchParams({ id: query.get("service") ?? "" }).toString();
  const response = await getServiceDetail(deps, derived(request, api.toString(), {}));
  if (response.status !== 200) return apiFailure(frame, response);
  const detail = response.jsonBody as ServiceDetailView;
  const wanted = (query.get("id") ?? "").toLowerCase();
  const found = detail.servers.find((s) => s.serverId.toLowerCase() === wanted);
  if (!found)
    return errorPage(frame, 404, "Not found", `no server ${wanted.slice(0, 100)} is recorded for this service`);
  return htmlResponse(200, serverPage(frame, frame.links.service(detail.service.serviceId), found));
}

async function run(deps: StatusPageDeps, request: ApiRequest, frame: Frame, runId: string): Promise<PageResponse> {
  const response = await getRunRecord(deps, derived(request, request.url, { runId }));
  if (response.status !== 200) return apiFailure(frame, response);
  const record = response.jsonBody as RunView;
  const notice = new URL(request.url).searchParams.get("queued");
  const message =
    notice === "new"
      ? "Your request was queued as this run."
      : notice === "merged"
        ? "A run was already waiting for this service: your request was merged into it."
        : undefined;
  return htmlResponse(200, runPage(frame, record, frame.links.service(record.serviceId), message));
}

/**
 * POST /api/page/reconcile (form: serviceId, dryRun): the CSRF check, then the
 * API's own POST /api/reconcile handler (same validation, scope check and
 * caller in the audit), then 303 to the queued run's page.
 */
async function reconcile(
  deps: StatusPageDeps,
  request: ApiRequest,
  frame: Frame,
  mode: SignInMode,
  log: AppLog,
): Promise<PageResponse> {
  const origin = checkSameOrigin(request);
  if (!origin.ok)
    return errorPage(
      frame,
      403,
      "Refused",
      `Re-runs from the page must be posted by the page itself: ${origin.reason}.`,
    );
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_FORM_BYTES)
    return errorPage(frame, 413, "Refused", `the form must be at most ${MAX_FORM_BYTES} bytes`);
  const form = new URLSearchParams(text);
  const body = JSON.stringify({ serviceId: form.get("serviceId") ?? "", dryRun: form.get("dryRun") === "true" });
  const response = await postReconcile(deps, derived(request, request.url, {}, body), log, mode);
  if (response.status !== 202) return apiFailure(frame, response);
  const queued = (response.jsonBody as { runs: { runId: string; coalesced: boolean }[] }).runs[0];
  if (!queued) return errorPage(frame, 500, "No run", "the reconcile API accepted the request but named no run");
  const target = new URL(frame.links.run(queued.runId), request.url);
  target.searchParams.set("queued", queued.coalesced ? "merged" : "new");
  return redirect(`${target.pathname}${target.search}`);
}

/**
 * Every page route under /api/page. `path` is what follows /api/page/. In
 * Entra mode a request without the platform's principal is sent to sign in
 * (GET) or refused (POST).
 */
export async function servePage(
  deps: StatusPageDeps,
  request: ApiRequest,
  mode: SignInMode,
  log: AppLog,
): Promise<PageResponse> {
  // Without the platform's authentication in front, the principal headers are whatever the caller sent: not shown.
  const user = mode === "entra" ? signedInUser(request.headers) : undefined;
  const links = pageLinks(request.url);
  const frame: Frame = { links, user };
  const method = request.method.toUpperCase();
  if (mode === "entra" && !user) {
    const here = new URL(request.url);
    if (method === "GET") return redirect(loginUrl(`${here.pathname}${here.search}`), 302);
    return errorPage(
      frame,
      401,
      "Sign in first",
      "Sign in with your organisation's account, then press the button again.",
    );
  }
  const path = (request.params.path ?? "").replace(/^\/+|\/+$/g, "").toLowerCase();
  if (path === "reconcile") {
    if (method !== "POST")
      return errorPage(frame, 405, "Use the buttons", "the re-run route accepts the page's form POST only");
    return reconcile(deps, request, frame, mode, log);
  }
  if (method !== "GET") return errorPage(frame, 405, "Not allowed", `${method.slice(0, 10)} is not allowed here`);
  if (path === "") return overview(deps, frame);
  if (path === "service") return service(deps, request, frame);
  if (path === "server") return server(deps, request, frame);
  const runMatch = /^runs\/([^/]+)$/.exec(path);
  if (runMatch?.[1]) return run(deps, request, frame, runMatch[1]);
  return errorPage(frame, 404, "Not found", `no page at /api/page/${path.slice(0, 100)}`);
}
