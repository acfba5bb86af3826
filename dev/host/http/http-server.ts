import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serveEventGridWebhook } from "../eventgrid/eventgrid-webhook";
import type { EventGridFunction, HostFunction, HttpFunction } from "../host-function";
import type { Invoker } from "../invocation";
import type { ScopedLog } from "../logger";
import { isAuthorized, presentedKey } from "./function-keys";
import { serveHttpFunction } from "./http-trigger";
import { compileRoute, type RouteTemplate } from "./route-template";

const ROUTE_PREFIX = "/api";
const EVENT_GRID_WEBHOOK = "/runtime/webhooks/eventgrid";
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpServerOptions {
  functions: HostFunction[];
  functionKey: string;
  invoker: Invoker;
  log: ScopedLog;
}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge(`request body exceeds ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function isDecodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function replyJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** Serves HTTP triggers under /api and the Event Grid webhook, like the Functions host's front end. */
export async function startHttpServer(options: HttpServerOptions, port: number): Promise<RunningHttpServer> {
  const { functions, functionKey, invoker, log } = options;
  const routes: { fn: HttpFunction; route: RouteTemplate }[] = functions
    .filter((f): f is HttpFunction => f.kind === "http")
    .map((fn) => ({ fn, route: compileRoute(fn.route) }));
  const eventGrid = new Map(functions.filter((f): f is EventGridFunction => f.kind === "eventGrid").map((f) => [f.name.toLowerCase(), f]));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const method = (req.method ?? "GET").toUpperCase();
    const body = await readBody(req);
    const key = presentedKey(req.headers, url.searchParams);

    if (url.pathname.toLowerCase() === EVENT_GRID_WEBHOOK) {
      const name = url.searchParams.get("functionName") ?? "";
      const fn = eventGrid.get(name.toLowerCase());
      if (!fn) return replyJson(res, 404, { error: `no Event Grid function named "${name}" (functionName query parameter)` });
      // Azure requires the system key (eventgrid_extension) in ?code=; the local host's one key plays that role.
      if (!isAuthorized("function", key, functionKey)) return replyJson(res, 401, { error: "missing or wrong key (?code=)" });
      if (method === "OPTIONS") {
        // CloudEvents schema subscriptions validate with the HTTP OPTIONS abuse-protection handshake.
        const origin = req.headers["webhook-request-origin"];
        if (typeof origin !== "string") return replyJson(res, 400, { error: "OPTIONS without a WebHook-Request-Origin header" });
        res.writeHead(200, { "webhook-allowed-origin": origin, "webhook-allowed-rate": "*" }).end();
        return;
      }
      if (method !== "POST") return replyJson(res, 405, { error: "the Event Grid webhook accepts POST (and OPTIONS for CloudEvents validation)" });
      return serveEventGridWebhook(fn, req.headers, body, res, invoker);
    }

    const prefix = url.pathname.slice(0, ROUTE_PREFIX.length).toLowerCase();
    const rest = url.pathname.slice(ROUTE_PREFIX.length);
    if (prefix === ROUTE_PREFIX && (rest === "" || rest.startsWith("/"))) {
      // Route values are percent-decoded; a malformed escape is the caller's error, not a 500.
      if (!isDecodable(rest)) return replyJson(res, 400, { error: `the path ${url.pathname.slice(0, 200)} has a malformed percent-encoding` });
      let methodMismatch = false;
      for (const { fn, route } of routes) {
        const params = route.match(rest);
        if (!params) continue;
        if (!fn.methods.includes(method)) {
          methodMismatch = true;
          continue;
        }
        if (!isAuthorized(fn.authLevel, key, functionKey)) {
          log("warning", `refused ${method} ${url.pathname}: missing or wrong function key`, { functionName: fn.name, status: 401 });
          res.writeHead(401).end();
          return;
        }
        return serveHttpFunction(fn, params, req, body, url, res, invoker);
      }
      if (methodMismatch) return replyJson(res, 405, { error: `${method} is not allowed on ${url.pathname}` });
    }
    if (url.pathname === "/" || url.pathname === "/admin/host/status") {
      return replyJson(res, 200, { state: "Running", functions: functions.map((f) => f.name) });
    }
    replyJson(res, 404, { error: `no function serves ${method} ${url.pathname}` });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof BodyTooLarge ? 413 : 500;
      log(status === 413 ? "warning" : "error", `request ${req.method} ${req.url} failed: ${(error as Error).message}`);
      if (!res.headersSent) replyJson(res, status, { error: (error as Error).message });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
