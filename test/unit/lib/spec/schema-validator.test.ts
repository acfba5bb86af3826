import path from "node:path";
import { describe, expect, it } from "vitest";
import { RefResolver } from "../../../../src/lib/spec/ref-resolver";
import { SchemaValidator } from "../../../../src/lib/spec/schema-validator";
import type { SwaggerSchema } from "../../../../src/lib/spec/swagger-types";

const specs = path.join(__dirname, "../../../../specs");
const validator = new SchemaValidator(new RefResolver());
const here = path.join(specs, "storagesync/resource-manager/Microsoft.StorageSync/stable/2022-09-01/storagesync.json");
const check = (schema: SwaggerSchema, value: unknown, mode: "request" | "response" = "request") =>
  validator.validate({ schema, file: here }, value, mode);

describe("SchemaValidator", () => {
  it("accepts the Swagger-style patterns of the Azure specs (escapes like \\_ that unicode mode refuses)", () => {
    const schema: SwaggerSchema = { type: "string", pattern: "^[-\\w\\._\\(\\)]+$" };
    expect(check(schema, "rg_name.(1)")).toEqual([]);
    expect(check(schema, "bad name")).toEqual(["(body): does not match ^[-\\w\\._\\(\\)]+$"]);
  });

  it("tells integers from numbers and checks bounds and lengths", () => {
    expect(check({ type: "integer", minimum: 1, maximum: 3 }, 2)).toEqual([]);
    expect(check({ type: "integer" }, 2.5)).toEqual(["(body): expected integer but got number"]);
    expect(check({ type: "integer", maximum: 3 }, 4)).toEqual(["(body): above 3"]);
    expect(check({ type: "string", minLength: 2 }, "a")).toEqual(["(body): shorter than 2"]);
  });

  it("validates array items and additionalProperties with paths", () => {
    const schema: SwaggerSchema = {
      type: "object",
      properties: {
        list: { type: "array", items: { type: "string" } },
        tags: { type: "object", additionalProperties: { type: "string" } },
      },
    };
    expect(check(schema, { list: ["a", 1], tags: { a: "x", b: false } })).toEqual([
      "list[1]: expected string but got integer",
      "tags.b: expected string but got boolean",
    ]);
  });

  it("follows $ref and allOf across files: readOnly inherited fields are skipped on input, checked on output", () => {
    const service: SwaggerSchema = { $ref: "#/definitions/StorageSyncService" };
    expect(check(service, { location: "westus", id: 5 }, "request")).toEqual([]);
    expect(check(service, { location: "westus", id: 5 }, "response")).toEqual(["id: expected string but got integer"]);
    expect(check(service, { id: "x" }, "request")).toEqual(["location: required property is missing"]);
  });

  it("checks uuid format on input only", () => {
    const identity: SwaggerSchema = { type: "object", properties: { principalId: { type: "string", format: "uuid" } } };
    expect(check(identity, { principalId: "nope" }, "request")).toEqual(["principalId: 'nope' is not a GUID"]);
    expect(check(identity, { principalId: "nope" }, "response")).toEqual([]);
  });
});
