import { describe, expect, it } from "vitest";
import { SpecCatalog } from "../../../../src/lib/spec/catalog";
import { loadSpecExamples } from "../../../../src/lib/spec/spec-examples";

const catalog = SpecCatalog.load();
const examples = loadSpecExamples(catalog);

// The operations the emulator serves; every vendored example of them must pass,
// which is what keeps the validator from being stricter than the service.
const SERVED =
  /^(StorageSyncServices|RegisteredServers|SyncGroups|CloudEndpoints|ServerEndpoints|RoleAssignments|RoleDefinitions|Machines)_/;

/**
 * Some operations are the same HTTP request under two names: the by-id forms
 * (/{roleAssignmentId}) and listing "for scope" at a subscription or resource
 * group scope. The catalog picks the most specific one.
 */
function wireEquivalent(operationId: string): string {
  return operationId
    .replace(/ById$/, "")
    .replace(/^RoleAssignments_ListFor(Scope|Subscription|ResourceGroup)$/, "RoleAssignments_List*");
}

describe("spec examples against the catalog", () => {
  it("finds the vendored examples of the served operations", () => {
    const ids = new Set(examples.map((e) => e.operationId));
    for (const id of [
      "StorageSyncServices_Update",
      "RegisteredServers_Update",
      "RoleAssignments_Create",
      "RoleAssignments_ListForScope",
      "ServerEndpoints_ListBySyncGroup",
      "Machines_Get",
    ]) {
      expect(ids).toContain(id);
    }
    expect(examples.filter((e) => SERVED.test(e.operationId)).length).toBeGreaterThanOrEqual(28);
  });

  describe.each(examples.map((e) => [`${e.operationId} (${e.file.split("/").pop()})`, e] as const))(
    "%s",
    (_name, example) => {
      it("routes to its operation, or to the one identical on the wire", () => {
        const match = catalog.match(example.method, example.path);
        expect(wireEquivalent(match?.operation.operationId ?? "none")).toBe(wireEquivalent(example.operationId));
      });

      it("passes validateRequest", () => {
        const match = catalog.match(example.method, example.path)!;
        const body = example.body === undefined ? undefined : JSON.stringify(example.body);
        expect(
          catalog.validateRequest(match, { query: new URLSearchParams({ "api-version": example.apiVersion }), body }),
        ).toBeUndefined();
      });

      it("has responses that pass validateResponse", () => {
        for (const [status, response] of Object.entries(example.responses)) {
          expect(
            catalog.validateResponse(example.operationId, Number(status), response.body),
            `status ${status}`,
          ).toEqual([]);
        }
      });
    },
  );
});
