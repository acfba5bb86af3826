import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serveEventGridWebhook } from "../eventgrid/eventgrid-webhook";
import type { EventGridFunction, HostFunction, HttpFunction } from "../host-function";
import type { Invoker } from "../invocation";
import type { ScopedLog } from "../logger";
import { isAuthorized, presentedKey } from "./function-keys";
import { replyHostError, replyOnSocket } from "./host-errors";
import { isValidHostHeader } from "./host-header";
import { appendForwardedFor, requestUrl } from "./request-url";
import { serveHttpFunction } from "./http-trigger";
import { BodyTooLarge, BodyTooSlow, readBody, type BodyLimits } from "./read-body";
import { compileRoute, type RouteTemplate } from "./route-template";

const ROUTE_PREFIX = "/api";
const EVENT_GRID_WEBHOOK = "/runtime/webhooks/eventgrid";
const ADMIN_PREFIX = "/admin/";

/**
 * How long and how large a request may be before the host refuses it (Kestrel's limits, as settings of the local host).
 */
export interface RequestLimits extends BodyLimits {
  /** Time for the request line and headers to arrive (Kestrel's RequestHeadersTimeout: 30 s); then 408. */
  headersTimeoutMs: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxBytes: 104_857_600,
  minBytesPerSecond: 240,
  gracePeriodMs: 5_000,
  headersTimeoutMs: 30_000,
};

/** How long the rest of a refused body is drained before the connection is closed. */
const DRAIN_AFTER_REFUSAL_MS = 5_000;

export interface HttpServerOptions {
  functions: HostFunction[];
  functionKey: string;
  invoker: Invoker;
  log: ScopedLog;
  limits?: RequestLimits;
}

export interface RunningHttpServer {
  url: string;
  /** Stops accepting connections at once; resolves when the requests being served have been answered. */
  close(): Promise<void>;
}

function isDecodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** The Host header's problem, if any: missing on HTTP/1.1, repeated, or not `host[:port]`. */
function hostHeaderProblem(req: IncomingMessage): string | undefined {
  const values = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]?.toLowerCase() === "host");
  if (values.length > 1) return "the request has more than one Host header";
  const host = req.headers.host;
  if (host === undefined) return req.httpVersion === "1.0" ? undefined : "an HTTP/1.1 request needs a Host header";
  if (!isValidHostHeader(host))
    return `the Host header ${JSON.stringify(host.slice(0, 100))} is not a valid host[:port]`;
  return undefined;
}

/** Serves HTTP triggers under /api and the Event Grid webhook, like the Functions host's front end. */
export async function startHttpServer(options: HttpServerOptions, port: number): Promise<RunningHttpServer> {
  const { functions, functionKey, invoker, log } = options;
  const limits = options.limits ?? DEFAULT_REQUEST_LIMITS;
  const routes: { fn: HttpFunction; route: RouteTemplate }[] = functions
    .filter((f): f is HttpFunction => f.kind === "http")
    .map((fn) => ({ fn, route: compileRoute(fn.route) }));
  const eventGrid = new Map(
    functions.filter((f): f is EventGridFunction => f.kind === "eventGrid").map((f) => [f.name.toLowerCase(), f]),
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const badHost = hostHeaderProblem(req);
    if (badHost) {
      req.resume();
      return replyHostError(res, 400, "InvalidHost", badHost, { connection: "close" });
    }
    const target = requestUrl(req, listeningPort);
    if (!target.ok) {
      req.resume();
      return replyHostError(res, 400, "InvalidHost", target.problem, { connection: "close" });
    }
    const url = target.url;
    appendForwardedFor(req);
    // The route and the key are checked before any of the body is read: a caller without the key costs no memory.
    const key = presentedKey(req.headers, url.searchParams);
    const unread = (reply: () => void): void => {
      discardBody(req);
      reply();
    };

    if (url.pathname.toLowerCase() === EVENT_GRID_WEBHOOK) {
      const name = url.searchParams.get("functionName") ?? "";
      const fn = eventGrid.get(name.toLowerCase());
      if (!fn)
        return unread(() =>
          replyHostError(res, 404, "NotFound", `no Event Grid function named "${name}" (functionName query parameter)`),
        );
      // Azure requires the system key (eventgrid_extension) in ?code=; the local host's one key plays that role.
      if (!isAuthorized("function", key, functionKey)) {
        log("warning", `refused ${method} ${url.pathname}: missing or wrong system key (?code=)`, {
          functionName: fn.name,
          status: 401,
        });
        return unread(() => res.writeHead(401).end());
      }
      if (method === "OPTIONS") {
        // CloudEvents schema subscriptions validate with the HTTP OPTIONS abuse-protection handshake.
        const origin = req.headers["webhook-request-origin"];
        if (typeof origin !== "string")
          return unread(() =>
            replyHostError(res, 400, "BadRequest", "OPTIONS without a WebHook-Request-Origin header"),
          );
        return unread(() =>
          res.writeHead(200, { "webhook-allowed-origin": origin, "webhook-allowed-rate": "*" }).end(),
        );
      }
      if (method !== "POST") {
        return unread(() =>
          replyHostError(
            res,
            405,
            "MethodNotAllowed",
            "the Event Grid webhook accepts POST (and OPTIONS for CloudEvents validation)",
            {
              allow: "POST, OPTIONS",
            },
          ),
        );
      }
      return serveEventGridWebhook(fn, req.headers, await readBody(req, limits), res, invoker);
    }

    const prefix = url.pathname.slice(0, ROUTE_PREFIX.length).toLowerCase();
    const rest = url.pathname.slice(ROUTE_PREFIX.length);
    if (prefix === ROUTE_PREFIX && (rest === "" || rest.startsWith("/"))) {
      // Route values are percent-decoded; a malformed escape is the caller's error, not a 500.
      if (!isDecodable(rest)) {
        return unread(() =>
          replyHostError(
            res,
            400,
            "BadRequest",
            `the path ${url.pathname.slice(0, 200)} has a malformed percent-encoding`,
          ),
        );
      }
      const allowed = new Set<string>();
      for (const { fn, route } of routes) {
        const params = route.match(rest);
        if (!params) continue;
        if (!fn.methods.includes(method)) {
          fn.methods.forEach((m) => allowed.add(m));
          continue;
        }
        if (!isAuthorized(fn.authLevel, key, functionKey)) {
          log("warning", `refused ${method} ${url.pathname}: missing or wrong function key`, {
            functionName: fn.name,
            status: 401,
          });
          return unread(() => res.writeHead(401).end());
        }
        return serveHttpFunction(fn, params, req, await readBody(req, limits), url, res, invoker);
      }
      if (allowed.size > 0) {
        const allow = [...allowed].join(", ");
        return unread(() =>
          replyHostError(
            res,
            405,
            "MethodNotAllowed",
            `${method} is not allowed on ${url.pathname}; it takes ${allow}`,
            { allow },
          ),
        );
      }
    }
    if (url.pathname.toLowerCase().startsWith(ADMIN_PREFIX)) {
      // The host's admin API takes the master key (the local host's one key plays it), as on Azure.
      if (!isAuthorized("admin", key, functionKey)) {
        log("warning", `refused ${method} ${url.pathname}: the admin API needs the master key`, { status: 401 });
        return unread(() => res.writeHead(401).end());
      }
      if (url.pathname.toLowerCase() === "/admin/host/status") {
        return unread(() =>
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ state: "Running", functions: functions.map((f) => f.name) })),
        );
      }
    }
    if (url.pathname === "/") {
      // Azure's root is an anonymous landing page that says the app runs and names none of its functions.
      return unread(() =>
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ state: "Running" })),
      );
    }
    unread(() => replyHostError(res, 404, "NotFound", `no function serves ${method} ${url.pathname}`));
  }

  /** A request answered without its body: the body is discarded for a bounded time, then the connection closes. */
  function discardBody(req: IncomingMessage): void {
    req.resume();
    if (req.complete) return;
    const drain = setTimeout(() => req.socket.destroy(), DRAIN_AFTER_REFUSAL_MS);
    drain.unref();
    req.once("end", () => clearTimeout(drain)).once("close", () => clearTimeout(drain));
  }

  /**
   * A refused body: the answer goes out first, the rest of the body is drained for a bounded time, then the connection
   * closes.
   */
  function refuse(req: IncomingMessage, res: ServerResponse, error: BodyTooLarge | BodyTooSlow): void {
    const tooLarge = error instanceof BodyTooLarge;
    log("warning", `refused ${req.method} ${req.url?.split("?")[0]}: ${error.message}`, {
      status: tooLarge ? 413 : 408,
    });
    // A slow client is not worth waiting for: 408 closes at once, as Kestrel does.
    replyHostError(
      res,
      tooLarge ? 413 : 408,
      tooLarge ? "BodyTooLarge" : "RequestTimeout",
      error.message,
      tooLarge ? {} : { connection: "close" },
    );
    discardBody(req);
  }

  const server: Server = createServer(
    {
      // The host answers a missing Host itself, in its error shape.
      requireHostHeader: false,
      headersTimeout: limits.headersTimeoutMs,
      // Bodies are bounded by their data rate instead of one deadline for the whole request.
      requestTimeout: 0,
      // Node checks header deadlines on this interval (default 30 s), so it bounds how late a 408 comes.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      if (closing) res.setHeader("connection", "close");
      handle(req, res).catch((error: unknown) => {
        if (error instanceof BodyTooLarge || error instanceof BodyTooSlow) return refuse(req, res, error);
        const message = error instanceof Error ? error.message : String(error);
        log("error", `request ${req.method} ${req.url?.split("?")[0]} failed: ${message}`);
        replyHostError(res, 500, "InternalServerError", message);
      });
    },
  );
  // Errors Node's HTTP parser raises before a request exists: headers too slow (408) or too large (431), malformed
  // requests (400).
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      replyOnSocket(
        socket,
        408,
        "RequestTimeout",
        `the request line and headers did not arrive within ${limits.headersTimeoutMs} ms`,
      );
    } else if (error.code === "HPE_HEADER_OVERFLOW") {
      replyOnSocket(socket, 431, "BadRequest", "the request headers are too large");
    } else {
      replyOnSocket(socket, 400, "BadRequest", `malformed HTTP request (${error.code ?? error.message})`);
    }
  });
  let closing = false;
  let listeningPort = port;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: actualPort } = server.address() as AddressInfo;
  listeningPort = actualPort;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
