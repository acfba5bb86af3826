import { describe, expect, it } from "vitest";
import { generateFunctionKey, isAuthorized, presentedKey } from "../../../../../dev/host/http/function-keys";

describe("function keys", () => {
  it("generates distinct keys of letters and digits only (safe in URLs, headers and argv)", () => {
    const keys = Array.from({ length: 200 }, generateFunctionKey);
    expect(new Set(keys).size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{32,}$/);
  });

  it("takes the header before ?code=", () => {
    expect(presentedKey({ "x-functions-key": "h" }, new URLSearchParams("code=q"))).toBe("h");
    expect(presentedKey({}, new URLSearchParams("code=q"))).toBe("q");
    expect(presentedKey({}, new URLSearchParams())).toBeUndefined();
  });

  it("lets anonymous through and requires the exact key otherwise", () => {
    expect(isAuthorized("anonymous", undefined, "k")).toBe(true);
    expect(isAuthorized("function", undefined, "k")).toBe(false);
    expect(isAuthorized("function", "K", "k")).toBe(false);
    expect(isAuthorized("admin", "k", "k")).toBe(true);
  });
});
