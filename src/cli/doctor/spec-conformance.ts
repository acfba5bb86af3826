import { SpecCatalog } from "../../lib/spec/catalog";
import { check, type Check } from "./check";
import type { ArmExchange } from "./exchange-log";

export const CONFORMANCE_TITLE = "Azure answered differently than this product expects";

/**
 * Every ARM answer the doctor read, checked against the REST specifications
 * the project carries (specs/: storagesync 2022-09-01, authorization
 * 2022-04-01; the built-in schemas of src/lib/spec/builtin-operations.ts for
 * storage, hybridcompute, compute, resources, eventgrid and web). Problems
 * come back as "field: what was expected".
 */
export function specConformanceChecks(exchanges: ArmExchange[], catalog: SpecCatalog = SpecCatalog.load()): Check[] {
  const checks: Check[] = [];
  for (const e of exchanges) {
    const match = catalog.match(e.method, e.path);
    if (!match) continue;
    for (const problem of catalog.validateResponse(match.operation.operationId, e.status, e.body)) {
      const at = problem.indexOf(": ");
      const field = at > 0 ? problem.slice(0, at) : "(body)";
      const expected = at > 0 ? problem.slice(at + 2) : problem;
      checks.push(
        check("conformance", "problem", `${CONFORMANCE_TITLE}: ${match.operation.operationId} ${field}`, {
          detail: `${expected} (the ${match.operation.source === "spec" ? `REST spec ${match.operation.specApiVersion ?? ""}`.trim() : "built-in schema"} of ${match.operation.operationId})`,
          remedy: "attach the report (--report FILE) to a bug report of this product; the product may misread this answer",
          evidence: { requestId: e.requestId, method: e.method, path: e.path, field, expected },
        }),
      );
    }
  }
  return checks;
}
