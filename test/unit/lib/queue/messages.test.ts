import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseReconcileMessage, type ReconcileRequest } from "../../../../src/lib/queue/messages";
import { newRunId } from "../../../../src/lib/tables/run-id";
import { checkServiceId } from "../../../../src/lib/http/resource-ids";

const serviceId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";
const valid: ReconcileRequest = {
  v: 1,
  kind: "reconcile",
  serviceId,
  runId: newRunId(serviceId),
  dryRun: false,
  trigger: { kind: "http", caller: "alice" },
  requestedAt: "2026-01-01T00:00:00Z",
};

describe("parseReconcileMessage", () => {
  it("accepts a valid request, as an object or as JSON text", () => {
    expect(parseReconcileMessage(valid)).toEqual({ ok: true, request: valid });
    expect(parseReconcileMessage(JSON.stringify(valid))).toEqual({ ok: true, request: valid });
  });

  it("names what is wrong", () => {
    const r = parseReconcileMessage({ ...valid, serviceId: "/subscriptions/x", dryRun: "yes" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/serviceId/);
      expect(r.error).toMatch(/dryRun/);
      expect(r.serviceId).toBe("/subscriptions/x");
    }
    const text = parseReconcileMessage("{not json");
    expect(text).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
  });

  it("property: never throws on any input", () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        expect(typeof parseReconcileMessage(raw).ok).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });
});

describe("checkServiceId", () => {
  const scopes = ["/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"];
  it("accepts a service id in scope, whatever its case", () => {
    expect(checkServiceId(serviceId.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"), scopes).ok).toBe(true);
  });
  it("accepts resource group names with Unicode letters", () => {
    const id = serviceId.replace("/rg/", "/rg-zürich/");
    expect(checkServiceId(id, ["/subscriptions/00000000-0000-0000-0000-000000000001"]).ok).toBe(true);
  });
  it.each([
    [undefined, 400, "MissingServiceId"],
    ["", 400, "MissingServiceId"],
    [`${serviceId}/registeredServers/x`, 400, "InvalidServiceId"],
    [`${serviceId}?x=1`, 400, "InvalidServiceId"],
    [
      "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss",
      400,
      "InvalidServiceId",
    ],
    [serviceId.replace("/rg/", "/other/"), 403, "OutsideScope"],
  ])("refuses %s with %i %s", (value, status, code) => {
    const r = checkServiceId(value, scopes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.response.status).toBe(status);
      expect(r.response.jsonBody).toMatchObject({ error: { code } });
    }
  });
});
