import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRoute } from "../../../../../dev/host/http/route-template";

describe("compileRoute", () => {
  it("matches literals case-insensitively and captures parameters", () => {
    const route = compileRoute("services/{serviceName}/runs/{runId}");
    expect(route.match("/Services/svc-1/RUNS/42")).toEqual({ serviceName: "svc-1", runId: "42" });
    expect(route.match("/services/svc-1/runs")).toBeUndefined();
    expect(route.match("/services/svc-1/runs/42/extra")).toBeUndefined();
  });

  it("captures the rest of the path with a catch-all, decoded", () => {
    const route = compileRoute("status/{*resourceId}");
    expect(route.match("/status/subscriptions/abc/resourceGroups/rg%201")).toEqual({
      resourceId: "subscriptions/abc/resourceGroups/rg 1",
    });
  });

  it("allows trailing optional parameters to be absent", () => {
    const route = compileRoute("runs/{id?}");
    expect(route.match("/runs")).toEqual({});
    expect(route.match("/runs/7")).toEqual({ id: "7" });
  });

  it("checks guid and int constraints", () => {
    const route = compileRoute("servers/{id:guid}/{n:int}");
    expect(route.match("/servers/8a1e6a0c-95e4-4a43-a4ca-1a8b2b8a2b6e/3")).toEqual({
      id: "8a1e6a0c-95e4-4a43-a4ca-1a8b2b8a2b6e",
      n: "3",
    });
    expect(route.match("/servers/not-a-guid/3")).toBeUndefined();
    expect(route.match("/servers/8a1e6a0c-95e4-4a43-a4ca-1a8b2b8a2b6e/x")).toBeUndefined();
  });

  it("refuses templates it cannot serve faithfully", () => {
    expect(() => compileRoute("a/{*rest}/b")).toThrow(/catch-all/);
    expect(() => compileRoute("a/x{id}")).toThrow(/mixes/);
  });

  it("round-trips any parameter values (property)", () => {
    const segment = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== "." && s !== "..");
    fc.assert(
      fc.property(segment, segment, (a, b) => {
        const route = compileRoute("x/{a}/y/{b}");
        expect(route.match(`/x/${encodeURIComponent(a)}/y/${encodeURIComponent(b)}`)).toEqual({ a, b });
      }),
    );
  });
});
