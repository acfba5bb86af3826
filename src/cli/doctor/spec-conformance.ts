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
  // The same departure in several answers (a list read twice) is one line, with the first answer's request id.
  const found = new Map<string, { check: Check; answers: number }>();
  for (const e of exchanges) {
    const match = catalog.match(e.method, e.path);
    if (!match) continue;
    const { operationId, source, specApiVersion } = match.operation;
    const contract = source === "spec" ? `the REST spec ${specApiVersion ?? ""}`.trim() : "the built-in schema";
    for (const problem of catalog.validateResponse(operationId, e.status, e.body)) {
      const at = problem.indexOf(": ");
      const field = at > 0 ? problem.slice(0, at) : "(body)";
      const expected = at > 0 ? problem.slice(at + 2) : problem;
      const key = `${operationId}|${field}|${expected}`;
      const earlier = found.get(key);
      if (earlier) {
        earlier.answers++;
        continue;
      }
      const line = check("conformance", "problem", `${CONFORMANCE_TITLE}: ${operationId} ${field}`, {
        detail: `${expected} (${contract} of ${operationId})`,
        remedy:
          "attach the report (--report FILE) to a bug report of this product; the product may misread this answer",
        evidence: { requestId: e.requestId, method: e.method, path: e.path, field, expected },
      });
      found.set(key, { check: line, answers: 1 });
    }
  }
  return [...found.values()].map(({ check: c, answers }) =>
    answers > 1 ? { ...c, detail: `${c.detail ?? ""}; in ${answers} answers` } : c,
  );
}
