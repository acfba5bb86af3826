import { connect } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { memoryLogger } from "../../../../dev/host/logger";
import { startHost, type RunningHost } from "../../../../dev/host/start-host";

// Raw sockets against the real host: what a client sees when the host itself refuses a request.
const fixtures = path.join(__dirname, "..", "..", "..", "unit", "dev", "host", "fixtures");

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A socket error (such as ECONNRESET) seen before the answer was complete. */
  error?: string;
}

/** Sends `parts` (waiting `gapMs` between them) on one connection and reads one HTTP answer. */
function rawRequest(port: number, parts: (string | Buffer)[], gapMs = 0): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let settled = false;
    const parse = (): RawAnswer | undefined => {
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return undefined;
      const [statusLine = "", ...lines] = received.subarray(0, end).toString("latin1").split("\r\n");
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      const body = received.subarray(end + 4);
      if (body.length < Number(headers["content-length"] ?? 0)) return undefined;
      return { status: Number(statusLine.split(" ")[1]), headers, body: body.toString("utf8") };
    };
    const finish = (answer: RawAnswer): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(answer);
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parse();
      if (answer) finish(answer);
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      finish({ status: 0, headers: {}, body: received.toString("utf8"), error: error.code }),
    );
    socket.on("close", () =>
      finish(parse() ?? { status: 0, headers: {}, body: received.toString("utf8"), error: "closed without an answer" }),
    );
    void (async () => {
      for (const part of parts) {
        if (settled || socket.destroyed) return;
        socket.write(part);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

const errorOf = (answer: RawAnswer): { code: string; message: string } =>
  (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;

describe("local host: requests it refuses itself", () => {
  let host: RunningHost;
  let port: number;

  beforeAll(async () => {
    host = await startHost({
      projectDir: path.join(fixtures, "app"),
      settings: {
        AzureWebJobsStorage: inject("azuriteConnectionString"),
        FIXTURE_QUEUE: `limits${Date.now().toString(36)}`,
        FIXTURE_SCHEDULE: "0 0 0 1 1 *",
      },
      functionKey: "test-key",
      logger: memoryLogger(),
      // Short timeouts so a trickling client is refused within a second; the 10 MiB limit keeps the oversized body
      // small.
      requestLimits: { maxBytes: 10 * 1024 * 1024, headersTimeoutMs: 600, gracePeriodMs: 600, minBytesPerSecond: 240 },
    });
    port = Number(new URL(host.url).port);
  });

  afterAll(async () => {
    await host?.close();
  });

  it("answers 400 InvalidHost for a Host header that is not host[:port], and keeps serving", async () => {
    for (const bad of ["a b", "[::1", "example.com:port", "exa/mple", "x:99999"]) {
      const answer = await rawRequest(port, [`GET /api/public/x HTTP/1.1\r\nHost: ${bad}\r\n\r\n`]);
      expect(answer.status, bad).toBe(400);
      expect(errorOf(answer)).toMatchObject({ code: "InvalidHost" });
      expect(errorOf(answer).message).toContain("Host header");
    }
    const missing = await rawRequest(port, ["GET /api/public/x HTTP/1.1\r\n\r\n"]);
    expect(missing.status).toBe(400);
    expect(errorOf(missing).code).toBe("InvalidHost");
    const good = await rawRequest(port, ["GET /api/public/x HTTP/1.1\r\nHost: [::1]:7071\r\n\r\n"]);
    expect(good.status).toBe(201);
  });

  it("treats a target starting with // as a path, and refuses an absolute-form target whose host is not the Host header", async () => {
    // The authority of the request URL is the Host header's, never the target's.
    const slashes = await rawRequest(port, [
      "GET //evil.example/api/public/x HTTP/1.1\r\nHost: 127.0.0.1:7071\r\n\r\n",
    ]);
    expect(slashes.status).toBe(404);
    expect(errorOf(slashes).message).toBe("no function serves GET //evil.example/api/public/x");
    const mismatch = await rawRequest(port, [
      "GET http://evil.example/api/public/x HTTP/1.1\r\nHost: 127.0.0.1:7071\r\n\r\n",
    ]);
    expect(mismatch.status).toBe(400);
    expect(errorOf(mismatch)).toMatchObject({ code: "InvalidHost" });
    expect(errorOf(mismatch).message).toContain("evil.example");
    const agreeing = await rawRequest(port, [
      "GET http://127.0.0.1:7071/api/public/x?q=1 HTTP/1.1\r\nHost: 127.0.0.1:7071\r\n\r\n",
    ]);
    expect(agreeing.status).toBe(201);
    expect(agreeing.headers["x-url"]).toBe("http://127.0.0.1:7071/api/public/x?q=1");
    const plain = await rawRequest(port, ["GET /api/public/y HTTP/1.1\r\nHost: app.example:8080\r\n\r\n"]);
    expect(plain.headers["x-url"]).toBe("http://app.example:8080/api/public/y");
  });

  it("appends the connection's address to X-Forwarded-For, as the platform's front end does", async () => {
    const answer = await rawRequest(port, [
      "GET /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n",
    ]);
    expect(answer.headers["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
  });

  it("answers 401 to a request without the key before reading its body", async () => {
    // Only the headers are sent: an answer can come only from a host that does not wait for the 9 MiB body.
    const answer = await rawRequest(port, [
      `POST /api/hello/big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${9 * 1024 * 1024}\r\n\r\n`,
    ]);
    expect(answer.status).toBe(401);
    const unrouted = await rawRequest(port, [
      `POST /api/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${9 * 1024 * 1024}\r\n\r\n`,
    ]);
    expect(unrouted.status).toBe(404);
  });

  it("the admin API needs the master key, and the root names no function", async () => {
    expect((await fetch(`${host.url}/admin/host/status`)).status).toBe(401);
    expect((await fetch(`${host.url}/admin/functions`)).status).toBe(401);
    const status = await fetch(`${host.url}/admin/host/status`, { headers: { "x-functions-key": "test-key" } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      state: "Running",
      functions: expect.arrayContaining(["hello"]) as unknown,
    });
    const root = await fetch(`${host.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).not.toContain("hello");
  });

  it("answers an 11 MiB body with 413 and the error body, without resetting the connection", async () => {
    const size = 11 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const parts: (string | Buffer)[] = [
      `POST /api/hello/big?code=test-key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${size}\r\n\r\n`,
    ];
    for (let sent = 0; sent < size; sent += chunk.length) parts.push(chunk);
    const answer = await rawRequest(port, parts);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(413);
    expect(errorOf(answer)).toEqual({
      code: "BodyTooLarge",
      message: `the request body (${size} bytes) is over the host's limit of ${10 * 1024 * 1024} bytes`,
    });
  });

  it("answers 413 for a chunked body that grows over the limit", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x62);
    const parts: (string | Buffer)[] = [
      "POST /api/hello/big?code=test-key HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ];
    for (let i = 0; i < 11; i++) parts.push(`${chunk.length.toString(16)}\r\n`, chunk, "\r\n");
    parts.push("0\r\n\r\n");
    const answer = await rawRequest(port, parts);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(413);
    expect(errorOf(answer).code).toBe("BodyTooLarge");
  });

  it("answers 408 to a body that trickles in slower than the minimum rate", async () => {
    const parts: string[] = [
      "POST /api/hello/slow?code=test-key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n",
      ...Array<string>(100).fill("x"),
    ];
    const answer = await rawRequest(port, parts, 50);
    expect(answer.status).toBe(408);
    expect(errorOf(answer).code).toBe("RequestTimeout");
    expect(errorOf(answer).message).toMatch(/slower than 240 bytes\/s/);
  });

  it("answers 408 to headers that trickle in past the headers timeout", async () => {
    const parts = [
      "GET /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\n",
      ...Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: y\r\n`),
    ];
    const answer = await rawRequest(port, parts, 50);
    expect(answer.status).toBe(408);
    expect(errorOf(answer)).toEqual({
      code: "RequestTimeout",
      message: "the request line and headers did not arrive within 600 ms",
    });
  });

  it("answers 404, 405 and 400 in the documented error shape", async () => {
    const notFound = await fetch(`${host.url}/api/nothing-here`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({
      error: { code: "NotFound", message: "no function serves GET /api/nothing-here" },
    });
    const wrongMethod = await fetch(`${host.url}/api/public/x`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");
    expect(await wrongMethod.json()).toEqual({
      error: { code: "MethodNotAllowed", message: "DELETE is not allowed on /api/public/x; it takes GET" },
    });
    const malformed = await fetch(`${host.url}/api/hello/%E0%A4%A?code=test-key`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: { code: "BadRequest", message: "the path /api/hello/%E0%A4%A has a malformed percent-encoding" },
    });
    const garbage = await rawRequest(port, ["NOT HTTP AT ALL\r\n\r\n"]);
    expect(garbage.status).toBe(400);
    expect(errorOf(garbage).code).toBe("BadRequest");
  });
});
