import { describe, expect, it } from "vitest";
import { SpecCatalog, type SpecMatch } from "../../../../src/lib/spec/catalog";

const catalog = SpecCatalog.load();
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const SVC = `${SUB}/resourceGroups/rg-sync/providers/Microsoft.StorageSync/storageSyncServices/sss1`;
const SERVER = `${SVC}/registeredServers/3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64`;
const SHARE = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acct1/fileServices/default/fileshares/share1`;
const ASSIGNMENT = `/${SHARE}/providers/Microsoft.Authorization/roleAssignments/0b3d8c6f-7c6b-5d9e-9a3c-2f1e0d4c5b6a`;
const ROLE = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/69566ab7-960f-475b-8e7c-b3118f30c6bd`;
const PRINCIPAL = "7c2b9c4e-1f6a-4d3b-8e2f-9a0b1c2d3e4f";

function matchOf(method: string, path: string): SpecMatch {
  const match = catalog.match(method, path);
  if (!match) throw new Error(`no match for ${method} ${path}`);
  return match;
}

function validate(method: string, path: string, body?: unknown, apiVersion: string | null = "2022-09-01") {
  const query = new URLSearchParams(apiVersion === null ? {} : { "api-version": apiVersion });
  return catalog.validateRequest(matchOf(method, path), { query, body });
}

const validAssignment = {
  properties: { roleDefinitionId: ROLE, principalId: PRINCIPAL, principalType: "ServicePrincipal" },
};

describe("SpecCatalog.validateRequest: api-version", () => {
  it("rejects a missing api-version with MissingApiVersionParameter", () => {
    expect(validate("GET", SVC, undefined, null)).toMatchObject({ status: 400, code: "MissingApiVersionParameter" });
    expect(validate("GET", SVC, undefined, "")).toMatchObject({ code: "MissingApiVersionParameter" });
  });
  it("rejects a malformed api-version with InvalidApiVersionParameter", () => {
    expect(validate("GET", SVC, undefined, "latest")).toMatchObject({
      status: 400,
      code: "InvalidApiVersionParameter",
    });
  });
  it("rejects a well-formed version the provider never had with NoRegisteredProviderFound, listing the supported ones", () => {
    const rejection = validate("GET", SVC, undefined, "2099-01-01");
    expect(rejection).toMatchObject({ status: 400, code: "NoRegisteredProviderFound" });
    expect(rejection?.message).toContain("2022-09-01");
    // Role assignments have their own list: storage sync's version is not one of them.
    expect(validate("PUT", ASSIGNMENT, validAssignment, "2022-09-01")).toMatchObject({
      code: "NoRegisteredProviderFound",
    });
  });
  it("accepts any version ARM registered for the type, and the api-version name case-insensitively", () => {
    expect(validate("GET", SVC, undefined, "2020-09-01")).toBeUndefined();
    expect(
      catalog.validateRequest(matchOf("GET", SVC), { query: new URLSearchParams({ "API-VERSION": "2022-09-01" }) }),
    ).toBeUndefined();
  });
});

describe("SpecCatalog.validateRequest: path", () => {
  it("rejects a subscription id that is not a GUID", () => {
    expect(validate("GET", SVC.replace("11111111-2222-3333-4444-555555555555", "my-sub"))).toMatchObject({
      status: 400,
      code: "InvalidSubscriptionId",
    });
    expect(
      validate(
        "PUT",
        ASSIGNMENT.replace("11111111-2222-3333-4444-555555555555", "my-sub"),
        validAssignment,
        "2022-04-01",
      ),
    ).toMatchObject({
      code: "InvalidSubscriptionId",
    });
  });
});

describe("SpecCatalog.validateRequest: role assignment PUT (never more lenient than ARM)", () => {
  const put = (body: unknown, path = ASSIGNMENT) => validate("PUT", path, body, "2022-04-01");

  it("accepts a well-formed request, as object or as raw JSON text", () => {
    expect(put(validAssignment)).toBeUndefined();
    expect(put(JSON.stringify(validAssignment))).toBeUndefined();
    expect(put(Buffer.from(JSON.stringify(validAssignment)))).toBeUndefined();
    expect(put({ properties: { roleDefinitionId: ROLE, principalId: PRINCIPAL } })).toBeUndefined();
  });
  it("requires properties.roleDefinitionId and properties.principalId", () => {
    const noRole = put({ properties: { principalId: PRINCIPAL } });
    expect(noRole).toMatchObject({ status: 400, code: "InvalidRequestContent" });
    expect(noRole?.message).toContain("properties.roleDefinitionId");
    expect(put({ properties: { roleDefinitionId: ROLE } })?.message).toContain("properties.principalId");
    expect(put({ properties: { roleDefinitionId: ROLE, principalId: null } })?.message).toContain(
      "properties.principalId",
    );
    expect(put({})?.message).toContain("properties");
  });
  it("requires a body", () => {
    expect(put(undefined)).toMatchObject({ code: "InvalidRequestContent" });
    expect(put("")).toMatchObject({ code: "InvalidRequestContent" });
  });
  it("rejects malformed JSON with InvalidRequestContent", () => {
    expect(put('{"properties": {')).toMatchObject({ status: 400, code: "InvalidRequestContent" });
  });
  it("checks the principalType enum, case-insensitively like ARM", () => {
    expect(put({ properties: { ...validAssignment.properties, principalType: "servicePRINCIPAL" } })).toBeUndefined();
    const bad = put({ properties: { ...validAssignment.properties, principalType: "ManagedIdentity" } });
    expect(bad).toMatchObject({ code: "InvalidRequestContent" });
    expect(bad?.message).toContain("principalType");
  });
  it("checks types", () => {
    expect(put({ properties: { roleDefinitionId: ROLE, principalId: 42 } })?.message).toContain("expected string");
    expect(put([validAssignment])?.message).toContain("expected object");
  });
  it("ignores readOnly properties on input", () => {
    expect(put({ properties: { ...validAssignment.properties, scope: 12, createdOn: false } })).toBeUndefined();
  });
  it("rejects a non-GUID assignment name, principal id or malformed role definition id", () => {
    expect(put(validAssignment, ASSIGNMENT.replace(/[0-9a-f-]{36}$/, "not-a-guid"))).toMatchObject({
      code: "InvalidRoleAssignmentId",
    });
    expect(put({ properties: { roleDefinitionId: ROLE, principalId: "someone" } })).toMatchObject({
      code: "InvalidPrincipalId",
    });
    expect(
      put({ properties: { roleDefinitionId: "Storage Account Contributor", principalId: PRINCIPAL } }),
    ).toMatchObject({ code: "InvalidRoleDefinitionId" });
    expect(
      put({
        properties: {
          roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/17d1049b-9a84-46fb-8f53-869881c3d3ab",
          principalId: PRINCIPAL,
        },
      }),
    ).toBeUndefined();
  });
  it("accepts only condition version 2.0", () => {
    const conditioned = { ...validAssignment.properties, condition: "@Resource[x] StringEquals 'y'" };
    expect(put({ properties: { ...conditioned, conditionVersion: "2.0" } })).toBeUndefined();
    expect(put({ properties: { ...conditioned, conditionVersion: "1.0" } })).toMatchObject({
      code: "InvalidConditionVersion",
    });
  });
});

describe("SpecCatalog.validateRequest: bodies of operations that take none", () => {
  it("ignores them, as ARM does for GET and DELETE", () => {
    expect(validate("GET", SVC, "{not json")).toBeUndefined();
    expect(validate("DELETE", ASSIGNMENT, "{not json", "2022-04-01")).toBeUndefined();
  });
});

describe("SpecCatalog.validateRequest: storage sync writes the product sends", () => {
  it("accepts PATCH service identity + useIdentity", () => {
    expect(
      validate("PATCH", SVC, { identity: { type: "SystemAssigned,UserAssigned" }, properties: { useIdentity: true } }),
    ).toBeUndefined();
    expect(validate("PATCH", SVC, { identity: { type: "systemassigned" } })).toBeUndefined();
  });
  it("rejects an unknown identity type, a non-boolean useIdentity and an identity without type", () => {
    expect(validate("PATCH", SVC, { identity: { type: "Both" } })?.message).toContain("identity.type");
    expect(validate("PATCH", SVC, { properties: { useIdentity: "yes" } })?.message).toContain("properties.useIdentity");
    expect(validate("PATCH", SVC, { identity: {} })?.message).toContain("identity.type");
  });
  it("accepts PATCH registered server identity: true and rejects a string for it", () => {
    expect(validate("PATCH", SERVER, { properties: { identity: true } })).toBeUndefined();
    expect(validate("PATCH", SERVER, { properties: { identity: "true" } })).toMatchObject({
      code: "InvalidRequestContent",
    });
  });
  it("requires location when creating a service (TrackedResource)", () => {
    expect(validate("PUT", SVC, { properties: {} })?.message).toContain("location");
    expect(validate("PUT", SVC, { location: "westeurope", properties: {} })).toBeUndefined();
  });
  it("binds property names case-insensitively like ARM's deserializer", () => {
    expect(validate("PATCH", SVC, { properties: { UseIdentity: "no" } })?.message).toContain("useIdentity");
  });
});

describe("SpecCatalog.validateRequest: built-in providers", () => {
  const MACHINE = `${SUB}/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/arc1`;
  const VM = `${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`;
  it("checks JSON shape and the identity block", () => {
    expect(validate("PATCH", MACHINE, { identity: { type: "SystemAssigned" } }, "2024-07-10")).toBeUndefined();
    expect(validate("PATCH", MACHINE, { identity: { type: "UserAssigned" } }, "2024-07-10")).toMatchObject({
      code: "InvalidRequestContent",
    });
    expect(validate("PATCH", MACHINE, "[1,", "2024-07-10")).toMatchObject({ code: "InvalidRequestContent" });
    expect(validate("PATCH", VM, { identity: { type: "SystemAssigned, UserAssigned" } }, "2024-07-01")).toBeUndefined();
    expect(validate("PUT", VM, { identity: { type: "SystemAssigned" } }, "2024-07-01")?.message).toContain("location");
    expect(validate("GET", VM, undefined, "2024-07-01")).toBeUndefined();
    expect(validate("GET", VM, undefined, "2022-04-01")).toMatchObject({ code: "NoRegisteredProviderFound" });
  });
});

describe("SpecCatalog.validateResponse", () => {
  it("accepts a conforming registered server and reports type errors with their path", () => {
    const server = {
      id: SERVER,
      name: "3635ca8b-5cc8-4a5c-bd43-c2de5ad8dc64",
      type: "Microsoft.StorageSync/storageSyncServices/registeredServers",
      properties: { activeAuthType: "ManagedIdentity", identity: true, applicationId: PRINCIPAL },
    };
    expect(catalog.validateResponse("RegisteredServers_Get", 200, server)).toEqual([]);
    const problems = catalog.validateResponse("RegisteredServers_Get", 200, {
      ...server,
      properties: { identity: "yes" },
    });
    expect(problems).toEqual(["properties.identity: expected boolean but got string 'yes'"]);
  });
  it("validates error bodies against the default response and flags undeclared statuses", () => {
    expect(
      catalog.validateResponse("RoleAssignments_Create", 409, {
        error: { code: "RoleAssignmentExists", message: "The role assignment already exists." },
      }),
    ).toEqual([]);
    expect(catalog.validateResponse("RoleAssignments_Create", 409, { error: { code: 409 } })).toContain(
      "error.code: expected string but got integer",
    );
    expect(catalog.validateResponse("SyncGroups_Create", 202, undefined)).toEqual([
      "status 202 is not declared for SyncGroups_Create",
    ]);
    expect(catalog.validateResponse("StorageSyncServices_Update", 202, undefined)).toEqual([]);
  });
  it("requires required response properties (list value)", () => {
    expect(catalog.validateResponse("Machines_ListByResourceGroup", 200, {})).toEqual([
      "value: required property is missing",
    ]);
  });
});
