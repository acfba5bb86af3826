import { HttpRequest } from "@azure/functions";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { openApiHttp } from "../../../src/functions/openApiHttp";

describe("openApiHttp", () => {
  it("serves an OpenAPI 3.1 document whose server URL is the app's own /api and whose schemas all compile", async () => {
    const response = await openApiHttp(
      new HttpRequest({ method: "GET", url: "https://afs.example.net/api/openapi.json" }),
    );
    expect(response.status).toBe(200);
    const doc = response.jsonBody as {
      openapi: string;
      servers: Array<{ url: string }>;
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, object> };
    };
    expect(doc.openapi).toBe("3.1.0");
    // A server URL relative to where the document is served (OpenAPI 3.1 allows it): never built from the Host header.
    expect(doc.servers[0]?.url).toBe("/api");
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(doc as object, "openapi.json");
    for (const name of Object.keys(doc.components.schemas))
      expect(() => ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` })).not.toThrow();
    const text = JSON.stringify(doc);
    for (const ref of text.matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g))
      expect(doc.components.schemas).toHaveProperty(ref[1] ?? "");
    const operationIds = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });
});
