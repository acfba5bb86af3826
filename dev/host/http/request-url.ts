import type { IncomingMessage } from "node:http";

export type RequestTarget = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * The request's URL as the Functions host builds it for the worker: scheme,
 * the Host header, then the path and query of the request target
 * (`{scheme}://{Host}{Path}{QueryString}` in the host's ToRpcHttp,
 * github.com/Azure/azure-functions-host, src/WebJobs.Script.Grpc/MessageExtensions/GrpcMessageConversionExtensions.cs).
 * The authority never comes from the target: `//evil.example/api/x` is a path
 * that starts with two slashes, as in Kestrel. An absolute-form target must
 * name the same host as the Host header (RFC 9112 §3.2.2; Kestrel answers 400
 * "Invalid Host header" otherwise). Any other form is refused.
 */
export function requestUrl(req: IncomingMessage, listeningPort: number): RequestTarget {
  const host = req.headers.host || `127.0.0.1:${listeningPort}`;
  const raw = req.url ?? "/";
  const shown = JSON.stringify(raw.slice(0, 200));
  let pathAndQuery: string;
  if (raw.startsWith("/")) {
    pathAndQuery = raw;
  } else if (/^https?:\/\//i.test(raw)) {
    let absolute: URL;
    try {
      absolute = new URL(raw);
    } catch {
      return { ok: false, problem: `the request target ${shown} is not a valid absolute URL` };
    }
    const expected = new URL(`${absolute.protocol}//${host}/`).host.toLowerCase();
    if (absolute.host.toLowerCase() !== expected) {
      return {
        ok: false,
        problem: `the request target names ${absolute.host.slice(0, 100)} but the Host header is ${host.slice(0, 100)}; they must agree`,
      };
    }
    pathAndQuery = `${absolute.pathname}${absolute.search}`;
  } else {
    return { ok: false, problem: `the request target ${shown} is neither a path nor an absolute http(s) URL` };
  }
  try {
    return { ok: true, url: new URL(`http://${host}${pathAndQuery}`) };
  } catch {
    return { ok: false, problem: `the request target ${shown} is not a valid path` };
  }
}

/**
 * Appends the address the connection came from to X-Forwarded-For, as the
 * platform's front end does before a request reaches the Functions host: the
 * last entry is the front end's own, the entries before it are the client's.
 */
export function appendForwardedFor(req: IncomingMessage): void {
  const peer = (req.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  if (!peer) return;
  const existing = req.headers["x-forwarded-for"];
  const before = Array.isArray(existing) ? existing.join(", ") : existing;
  req.headers["x-forwarded-for"] = before ? `${before}, ${peer}` : peer;
}
