import { describe, expect, it } from "vitest";
import type { ApiRequest } from "../../../../src/lib/http/api-types";
import { checkSameOrigin, CONTENT_SECURITY_POLICY, PAGE_HEADERS } from "../../../../src/lib/status-page/security";

const request = (url: string, headers: Record<string, string>): ApiRequest => ({
  method: "POST",
  url,
  params: {},
  headers: { get: (name) => headers[name.toLowerCase()] ?? null },
  text: () => Promise.resolve(""),
});
const URL_ = "https://afs.example.net/api/page/reconcile";
const HOST = { host: "afs.example.net" };

describe("the page's CSRF check", () => {
  it("accepts a form posted from the app's own origin (host compared case-insensitively)", () => {
    expect(checkSameOrigin(request(URL_, { ...HOST, origin: "https://afs.example.net" })).ok).toBe(true);
    expect(checkSameOrigin(request(URL_, { ...HOST, origin: "https://AFS.example.net" })).ok).toBe(true);
    expect(checkSameOrigin(request(URL_, { host: "afs.example.net:443", origin: "https://afs.example.net" })).ok).toBe(
      true,
    );
    expect(
      checkSameOrigin(
        request("http://127.0.0.1:7071/api/page/reconcile?code=k", {
          host: "127.0.0.1:7071",
          origin: "http://127.0.0.1:7071",
        }),
      ).ok,
    ).toBe(true);
  });

  it("compares Origin with the Host header, never with an authority the request target put into the URL", () => {
    // POST //evil.example/api/page/reconcile: a URL resolved from that target names evil.example.
    const spoofed = request("http://evil.example/api/page/reconcile", {
      host: "127.0.0.1:7071",
      origin: "http://evil.example",
    });
    expect(checkSameOrigin(spoofed).ok).toBe(false);
    expect(checkSameOrigin(request(URL_, { origin: "https://afs.example.net" })).ok).toBe(false);
  });

  it.each([
    ["another site", { origin: "https://evil.example" }],
    ["the same host over another scheme", { origin: "http://afs.example.net" }],
    ["another port", { origin: "https://afs.example.net:8443" }],
    ["an opaque origin", { origin: "null" }],
    ["garbage", { origin: "not a url" }],
    ["a suffix of the host", { origin: "https://afs.example.net.evil.example" }],
  ])("refuses %s, naming it", (_, headers) => {
    const result = checkSameOrigin(request(URL_, { ...HOST, ...headers }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(headers.origin);
  });

  it("without Origin, trusts only Sec-Fetch-Site: same-origin, and refuses a request with neither", () => {
    expect(checkSameOrigin(request(URL_, { ...HOST, "sec-fetch-site": "same-origin" })).ok).toBe(true);
    expect(checkSameOrigin(request(URL_, { ...HOST, "sec-fetch-site": "cross-site" })).ok).toBe(false);
    expect(checkSameOrigin(request(URL_, { ...HOST, "sec-fetch-site": "same-site" })).ok).toBe(false);
    const neither = checkSameOrigin(request(URL_, HOST));
    expect(neither.ok).toBe(false);
    if (!neither.ok) expect(neither.reason).toContain("POST /api/reconcile");
  });
});

describe("page headers", () => {
  it("the CSP allows no script, no inline style and no framing; forms post only to the app", () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(";")
        .map((d) => d.trim().split(/\s+/))
        .map(([k = "", ...v]) => [k, v]),
    );
    expect(directives.get("default-src")).toEqual(["'none'"]);
    expect(directives.has("script-src")).toBe(false);
    expect(directives.get("style-src")).toEqual(["'self'"]);
    expect(directives.get("form-action")).toEqual(["'self'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe");
    // no-referrer would make browsers send "Origin: null" on the page's own posts, which the check refuses.
    expect(PAGE_HEADERS["referrer-policy"]).toBe("same-origin");
  });
});
