import { describe, expect, it } from "vitest";
import { isValidHostHeader } from "../../../../../dev/host/http/host-header";

describe("isValidHostHeader (uri-host [':' port])", () => {
  it("accepts names, IPv4, IP literals, with or without a port, and the empty value", () => {
    for (const ok of ["localhost", "127.0.0.1:7071", "func.contoso.com", "[::1]", "[::1]:7071", "a-b_c.~x:0", ""])
      expect(isValidHostHeader(ok), ok).toBe(true);
  });

  it("refuses spaces, slashes, unclosed literals, non-numeric or out-of-range ports", () => {
    for (const bad of [
      "a b",
      "exa/mple",
      "[::1",
      "[::1]x",
      "host:port",
      "x:99999",
      ":80",
      "a@b",
      "%zz",
      "[:::]",
      "[v1.x]",
    ])
      expect(isValidHostHeader(bad), bad).toBe(false);
  });
});
