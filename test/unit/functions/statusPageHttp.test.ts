import path from "node:path";
import { describe, expect, it } from "vitest";
import { captureRegistrations } from "../../../dev/host/capture-registrations";

/** The page's functions as the host sees them (captured through the worker's registration calls). */
const functionsDir = path.resolve(__dirname, "../../../src/functions");
const byName = new Map(
  captureRegistrations([
    path.join(functionsDir, "statusPageHttp.ts"),
    path.join(functionsDir, "statusPageStyleHttp.ts"),
  ]).map((r) => [r.name, r]),
);

describe("status page registrations", () => {
  it("the page is one GET/POST route under /api/page, guarded by the function key unless Entra sign-in is on", () => {
    expect(byName.get("statusPageHttp")?.trigger).toMatchObject({
      type: "httpTrigger",
      authLevel: "function",
      route: "page/{*path}",
      methods: ["GET", "POST"],
    });
  });

  it("the stylesheet needs no key: it holds no data", () => {
    expect(byName.get("statusPageStyleHttp")?.trigger).toMatchObject({
      type: "httpTrigger",
      authLevel: "anonymous",
      route: "page-assets/style.css",
      methods: ["GET"],
    });
  });
});
