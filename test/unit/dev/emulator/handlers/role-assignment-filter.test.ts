import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRoleAssignmentFilter } from "../../../../../dev/emulator/handlers/role-assignment-filter";

describe("role assignment $filter", () => {
  it("reads atScope(), principalId eq and assignedTo() in any order and case", () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.boolean(),
        fc.constantFrom("principalId eq '%'", "assignedTo('%')", "PRINCIPALID EQ '%'"),
        fc.boolean(),
        (id, atScope, form, atFirst) => {
          const principal = form.replace("%", id.toUpperCase());
          const terms = atScope ? (atFirst ? ["atScope()", principal] : [principal, "atScope()"]) : [principal];
          expect(parseRoleAssignmentFilter(terms.join(" and "))).toEqual({ atScope, principalId: id.toLowerCase() });
        },
      ),
    );
  });

  it("accepts GUIDs without hyphens, as ARM does", () => {
    expect(parseRoleAssignmentFilter("principalId eq '0123456789abcdef0123456789abcdef'").principalId).toBe(
      "01234567-89ab-cdef-0123-456789abcdef",
    );
  });

  it("no filter means no restriction", () => {
    expect(parseRoleAssignmentFilter(undefined)).toEqual({ atScope: false });
    expect(parseRoleAssignmentFilter("  ")).toEqual({ atScope: false });
  });

  it("refuses anything else, naming the filter", () => {
    for (const bad of ["displayName eq 'x'", "atScope() or principalId eq '1'", "principalId eq 'not-a-guid'"]) {
      expect(() => parseRoleAssignmentFilter(bad)).toThrow(bad);
    }
  });
});
