import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ArmError } from "./arm-error";
import type { EmulatorCore } from "./core";
import { rateLimitHeader } from "./faults/arm-throttle";
import { faultResponse } from "./faults/fault-response";
import { offSpecBody } from "./faults/off-spec";
import { authorizationHandlers } from "./handlers/authorization";
import { deploymentHandlers } from "./handlers/deployment";
import { machineHandlers } from "./handlers/machines";
import { permissionHandlers } from "./handlers/permissions";
import {
  OPERATION_RESULT_ID,
  OPERATION_RESULT_PATH,
  operationResult,
  operationStatusHandlers,
} from "./handlers/operation-status";
import { pageList } from "./list-paging";
import { answerLongRunning } from "./lro-answer";
import { storageHandlers } from "./handlers/storage";
import { storageSyncHandlers } from "./handlers/storage-sync";
import { subscriptionHandlers } from "./handlers/subscriptions";
import {
  reply,
  type Handler,
  type HandlerContext,
  type HandlerResult,
  type LongRunningWrite,
  type Reply,
} from "./handlers/types";
import { actionFor, authorize } from "./rbac";
import { normalizePath } from "./resource-id";
import { checkDotSegments } from "../../src/lib/spec/request-rules";
import type { SpecOperation } from "../../src/lib/spec/catalog";
import { callerFromAuthorization } from "./tokens";

const HANDLERS: Record<string, Handler> = {
  ...storageSyncHandlers,
  ...operationStatusHandlers,
  ...authorizationHandlers,
  ...permissionHandlers,
  ...deploymentHandlers,
  ...storageHandlers,
  ...machineHandlers,
  ...subscriptionHandlers,
};

/** ARM refuses request bodies over 4 MB. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** Role assignment writes are authorized by their handler: the check needs the requested role. */
const SELF_AUTHORIZED = new Set(["RoleAssignments_Create", "RoleAssignments_Delete"]);

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * The request URL. Not `new URL(path, base)`: the SDKs send scope paths as
 * `//subscriptions/…`, which that would read as a host name.
 */
export function requestUrl(raw: string | undefined): URL {
  const path = raw ?? "/";
  return new URL("https://emulator.local" + (path.startsWith("/") ? path : "/" + path));
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function send(res: ServerResponse, answer: Answer): void {
  const payload = answer.body === undefined ? "" : JSON.stringify(answer.body);
  const headers: Record<string, string> = { ...answer.headers };
  if (payload) headers["content-type"] = "application/json; charset=utf-8";
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(answer.status, headers);
  res.end(payload);
}

/**
 * The caller's token is issued by the emulator's (the seed's) tenant; ARM
 * refuses it for a subscription of another Entra tenant, as it refuses any
 * token from the wrong issuer.
 */
function rejectForeignTenant(core: EmulatorCore, subscriptionId: string): void {
  const sub = core.state.subscription(subscriptionId);
  if (!sub || sub.tenantId.toLowerCase() === core.state.tenantId.toLowerCase()) return;
  throw new ArmError(
    401,
    "InvalidAuthenticationTokenTenant",
    `The access token is from the wrong issuer 'https://sts.windows.net/${core.state.tenantId}/'. It must match the tenant 'https://sts.windows.net/${sub.tenantId}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${sub.tenantId}' to get the token.`,
  );
}

/**
 * The `ignoreWrite` fault: the write is validated and answered as usual (its
 * status and event included), but its change is undone, and the answer's
 * body is the resource as a GET shows it (the handler's own body when there
 * is none, e.g. a create).
 */
function writeThatDoesNotStick(core: EmulatorCore, ctx: HandlerContext, handler: Handler): HandlerResult {
  const undone = (change: () => Reply): Reply => {
    const before = core.state.snapshot();
    let r: Reply;
    try {
      r = change();
    } finally {
      core.state.restore(before);
    }
    const current = currentResource(core, ctx);
    return { ...r, body: current ? current.body : r.body };
  };
  let lro: LongRunningWrite | undefined;
  const immediate = undone(() => {
    const r = handler(ctx);
    if (r.kind === "reply") return r;
    lro = r;
    return reply(0);
  });
  if (!lro) return immediate;
  const original = lro;
  return { ...original, apply: () => undone(original.apply) };
}

/** The resource at the request's path as its GET answers it; undefined when it does not exist. */
function currentResource(core: EmulatorCore, ctx: HandlerContext): Reply | undefined {
  const get = core.catalog.match("GET", ctx.path);
  const handler = get ? HANDLERS[get.operation.operationId] : undefined;
  if (!get || !handler) return undefined;
  try {
    const r = handler({ ...ctx, method: "GET", body: undefined, params: get.pathParams, operation: get.operation });
    return r.kind === "reply" && r.status === 200 ? r : undefined;
  } catch (e) {
    if (e instanceof ArmError) return undefined;
    throw e;
  }
}

/**
 * The RBAC action and scope a generic request needs: `{provider}/{types}/{verb}` over the resource (or the list's
 * parent).
 */
export function permissionOf(method: string, path: string): { action: string; scope: string } | undefined {
  const segs = normalizePath(path)
    .split("/")
    .filter((s) => s);
  const p = segs.map((s) => s.toLowerCase()).lastIndexOf("providers");
  if (p < 0 || p + 1 >= segs.length) return undefined;
  const rest = segs.slice(p + 2);
  const types = rest.filter((_, i) => i % 2 === 0);
  const typePath = [segs[p + 1], ...types].join("/");
  const isCollection = rest.length % 2 === 1;
  const scopeSegs = isCollection ? (rest.length === 1 ? segs.slice(0, p) : segs.slice(0, -1)) : segs;
  return { action: actionFor(method, typePath), scope: "/" + scopeSegs.join("/") };
}

interface Routed {
  operationId: string;
  operation?: SpecOperation;
  params: Record<string, string>;
  isWrite: boolean;
}

function route(core: EmulatorCore, method: string, path: string): Routed {
  const result = OPERATION_RESULT_PATH.exec(path);
  if (method === "GET" && result) {
    return {
      operationId: OPERATION_RESULT_ID,
      params: { subscriptionId: result[1] ?? "", locationName: result[2] ?? "", operationId: result[3] ?? "" },
      isWrite: false,
    };
  }
  const match = core.catalog.match(method, path);
  if (!match) {
    if (core.catalog.matchesAnyMethod(path))
      throw new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`);
    throw new ArmError(404, "NotFound", `No HTTP resource was found that matches the request URI '${path}'.`);
  }
  return {
    operationId: match.operation.operationId,
    operation: match.operation,
    params: match.pathParams,
    isWrite: match.operation.isWrite,
  };
}

/**
 * One ARM request through the emulator's pipeline, in ARM's order:
 * route → count → fault injection → throttling → authentication → request
 * validation → authorization → handler → long-running-operation wrapping.
 */
export async function handleArmRequest(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: Buffer,
): Promise<void> {
  const requestId = randomUUID();
  const correlationId = String(req.headers["x-ms-correlation-request-id"] ?? randomUUID());
  const clientRequestHeader = req.headers["x-ms-client-request-id"];
  const clientRequestId =
    typeof clientRequestHeader === "string" && clientRequestHeader !== "" ? clientRequestHeader : null;
  const method = (req.method ?? "GET").toUpperCase();
  const url = requestUrl(req.url);
  const path = normalizePath(url.pathname);
  const headers: Record<string, string> = {
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": correlationId,
  };
  const bodyText = rawBody.toString("utf8");
  let operationId: string | undefined;
  let callerOid: string | undefined;
  let status = 500;
  let errorCode: string | undefined;
  let responseProblems: string[] | undefined;

  try {
    core.settle();
    if (rawBody.length > MAX_REQUEST_BYTES) {
      throw new ArmError(
        413,
        "RequestEntityTooLarge",
        `The request content length ${rawBody.length} exceeds the maximum of ${MAX_REQUEST_BYTES} bytes.`,
      );
    }
    // Before the URL is parsed: parsing resolves `.`/`..`, which would answer for another resource.
    const dotSegments = checkDotSegments(req.url ?? "/");
    if (dotSegments) throw new ArmError(dotSegments.status, dotSegments.code, dotSegments.message);
    const routed = route(core, method, path);
    operationId = routed.operationId;
    core.recorder.count(routed.operationId, routed.isWrite);

    const fault = core.faults.decide({ operationId: routed.operationId, method, path, isWrite: routed.isWrite });
    if (fault?.kind === "drop") {
      status = 0;
      errorCode = "ConnectionDropped";
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "latency") await sleep(fault.ms);
    const latencyMs = core.latency.delayMs(routed.isWrite);
    if (latencyMs > 0) await sleep(latencyMs);
    if (fault?.kind === "status") {
      const f = faultResponse(fault);
      status = f.status;
      errorCode = f.body.error.code;
      send(res, { status: f.status, headers: { ...headers, ...f.headers }, body: f.body });
      return;
    }

    const subscriptionId = routed.params.subscriptionId ?? /^\/subscriptions\/([^/]+)/i.exec(path)?.[1];
    if (subscriptionId) {
      const kind = method === "DELETE" ? "delete" : routed.isWrite ? "write" : "read";
      const decision = core.throttle.take(subscriptionId, kind, core.clock.now());
      const h = rateLimitHeader(kind, decision.remaining);
      headers[h.name] = h.value;
      if (!decision.allowed) {
        throw new ArmError(
          429,
          "SubscriptionRequestsThrottled",
          `Number of ${kind} requests for subscription '${subscriptionId}' exceeded the limit. Please try again after '${decision.retryAfterSeconds}' seconds.`,
          {
            "Retry-After": String(decision.retryAfterSeconds),
            ...(decision.retryAfterMs === undefined ? {} : { "retry-after-ms": String(decision.retryAfterMs) }),
          },
        );
      }
    }

    const claims = callerFromAuthorization(req.headers.authorization, Date.now());
    callerOid = claims.oid;
    if (subscriptionId) rejectForeignTenant(core, subscriptionId);

    let body: unknown;
    if (routed.operation) {
      const rejection = core.catalog.validateRequest(
        { operation: routed.operation, pathParams: routed.params },
        { query: url.searchParams, body: bodyText },
      );
      if (rejection) throw new ArmError(rejection.status, rejection.code, rejection.message);
    }
    if (bodyText.trim() !== "") {
      try {
        body = JSON.parse(bodyText) as unknown;
      } catch (e) {
        throw new ArmError(
          400,
          "InvalidRequestContent",
          `The request content was invalid and could not be deserialized: ${(e as Error).message}`,
        );
      }
    }

    if (core.enforceRbac && !SELF_AUTHORIZED.has(routed.operationId)) {
      const permission = permissionOf(method, path);
      if (permission) authorize(core.state, callerOid, permission.action, permission.scope);
    }

    const ctx: HandlerContext = {
      core,
      method,
      path,
      query: url.searchParams,
      body,
      params: routed.params,
      operation: routed.operation ?? syntheticOperation(routed.operationId),
      apiVersion: url.searchParams.get("api-version") ?? "",
      callerOid,
      correlationId,
    };
    let replyOut: Reply;
    if (routed.operationId === OPERATION_RESULT_ID) {
      replyOut = operationResult(ctx, routed.params.operationId ?? "");
    } else {
      const handler = HANDLERS[routed.operationId];
      if (!handler) throw new ArmError(501, "NotImplemented", `The emulator does not implement ${routed.operationId}.`);
      const result =
        fault?.kind === "ignoreWrite" && routed.isWrite ? writeThatDoesNotStick(core, ctx, handler) : handler(ctx);
      const applied = (final: Reply): void =>
        core.appliedWrites.record({
          method,
          path,
          kind: routed.operationId,
          clientRequestId,
          requestId,
          status: final.status,
        });
      replyOut = result.kind === "reply" ? result : answerLongRunning(core, ctx, result, applied);
      // A reply that carries its written resources changed state now (an asynchronous one reports later).
      if (replyOut.written?.length) applied(replyOut);
      if (method === "GET" && /_List/i.test(routed.operationId))
        replyOut = pageList(replyOut, core.listPageSize, url, core.armEndpoint);
    }
    if (fault?.kind === "offSpec" && replyOut.status < 300)
      replyOut = { ...replyOut, body: offSpecBody(replyOut.body, fault.field, fault.change) };
    status = replyOut.status;
    if (core.validateResponses && routed.operation?.source === "spec") {
      const problems = core.catalog.validateResponse(routed.operationId, replyOut.status, replyOut.body);
      if (problems.length > 0) responseProblems = problems;
    }
    for (const w of replyOut.written ?? []) core.wrote(w.resourceUri, w.method, callerOid, correlationId);
    if (fault?.kind === "dropAfterApply" && routed.isWrite) {
      // Applied, then no answer: the recorded status is the one the caller never received.
      errorCode = "ConnectionDroppedAfterApply";
      req.socket.destroy();
      return;
    }
    send(res, { status: replyOut.status, headers: { ...headers, ...replyOut.headers }, body: replyOut.body });
  } catch (e) {
    const err =
      e instanceof ArmError
        ? e
        : new ArmError(500, "InternalServerError", `Emulator error: ${e instanceof Error ? e.message : String(e)}`);
    if (!(e instanceof ArmError)) console.error("[emulator] unexpected error", e);
    status = err.status;
    errorCode = err.code;
    send(res, { status: err.status, headers: { ...headers, ...err.headers }, body: err.body() });
  } finally {
    core.recorder.record({
      time: new Date().toISOString(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      operationId,
      status,
      errorCode,
      ...(responseProblems ? { responseProblems } : {}),
      caller: callerOid,
      requestId,
      correlationId,
      body: method === "GET" || bodyText === "" ? undefined : safeJson(bodyText),
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function syntheticOperation(operationId: string): SpecOperation {
  return {
    operationId,
    method: "GET",
    pathTemplate: "",
    longRunning: false,
    isWrite: false,
    resourceType: "Microsoft.StorageSync",
    apiVersions: [],
    specApiVersion: undefined,
    source: "builtin",
  };
}
