import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { isTransientArmError, toArmErrorInfo } from "../../../../src/lib/azure/arm-error";
import { ROLE, roleAssignmentName } from "../../../../src/lib/azure/role-assignments";
import { ReconcileError } from "../../../../src/lib/reconcile/errors";

function armFailure(status: number, code: string): RestError {
  const request = createPipelineRequest({ url: "https://arm.example/x" });
  return new RestError(`${code} happened`, {
    statusCode: status,
    code,
    request,
    response: {
      status,
      request,
      headers: createHttpHeaders({ "x-ms-request-id": "req-1" }),
      bodyAsText: JSON.stringify({ error: { code, message: `the ${code} message` } }),
    },
  });
}

describe("ARM errors", () => {
  it.each([
    [429, "TooManyRequests", true],
    [500, "InternalServerError", true],
    [503, "ServiceUnavailable", true],
    [400, "PrincipalNotFound", false],
    [403, "AuthorizationFailed", false],
    [404, "ResourceNotFound", false],
    [409, "RoleAssignmentExists", false],
  ])("HTTP %i %s: transient %s", (status, code, transient) => {
    const error = armFailure(status, code);
    expect(isTransientArmError(error)).toBe(transient);
    expect(toArmErrorInfo(error)).toEqual({
      code,
      message: `the ${code} message`,
      statusCode: status,
      requestId: "req-1",
    });
    const wrapped = new ReconcileError("Cannot read service", error);
    expect(wrapped.transient).toBe(transient);
    expect(isTransientArmError(wrapped)).toBe(transient);
    expect(wrapped.message).toContain(code);
    expect(wrapped.remedy).toBeTruthy();
  });

  it("treats network failures as transient", () => {
    expect(isTransientArmError(new RestError("socket hang up", { code: "REQUEST_SEND_ERROR" }))).toBe(true);
    expect(isTransientArmError(new Error("boom"))).toBe(false);
  });
});

describe("roleAssignmentName", () => {
  const scope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a";
  it("is a deterministic GUID, insensitive to case and slashes, distinct per scope, principal and role", () => {
    const name = roleAssignmentName(scope, "P1", ROLE.storageAccountContributor);
    expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(roleAssignmentName(`/${scope.toUpperCase()}/`, "p1", ROLE.storageAccountContributor)).toBe(name);
    expect(
      roleAssignmentName(`${scope}/fileServices/default/fileshares/s`, "p1", ROLE.storageAccountContributor),
    ).not.toBe(name);
    expect(roleAssignmentName(scope, "p2", ROLE.storageAccountContributor)).not.toBe(name);
    expect(roleAssignmentName(scope, "p1", ROLE.storageFileDataPrivilegedContributor)).not.toBe(name);
  });
});
