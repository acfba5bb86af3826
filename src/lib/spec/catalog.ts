import path from "node:path";
import { API_VERSION_SHAPE, resourceTypeOf, supportedApiVersions } from "./api-versions";
import { BUILTIN_OPERATIONS } from "./builtin-operations";
import { compileTemplate, matchTemplate, normalizeRequestPath, type CompiledTemplate } from "./path-template";
import { RefResolver } from "./ref-resolver";
import {
  checkResourceNames,
  checkRoleAssignmentCreate,
  checkSubscriptionId,
  type RequestRejection,
} from "./request-rules";
import { SchemaValidator } from "./schema-validator";
import type { LocatedSchema, SwaggerOperation, SwaggerParameter, SwaggerResponse } from "./swagger-types";

export type { RequestRejection } from "./request-rules";

export type HttpMethod = "GET" | "PUT" | "PATCH" | "DELETE" | "POST" | "HEAD";

export interface SpecOperation {
  operationId: string;
  method: HttpMethod;
  pathTemplate: string;
  /** `x-ms-long-running-operation` in the spec. */
  longRunning: boolean;
  /** PUT, PATCH, DELETE and POST: what ARM counts against the write budget. */
  isWrite: boolean;
  /** e.g. "Microsoft.StorageSync" or "Microsoft.Authorization/roleAssignments". */
  resourceType: string;
  /** Every api-version ARM accepts for this resource type. */
  apiVersions: readonly string[];
  /** The version the vendored spec describes (responses have its shape); undefined for built-ins. */
  specApiVersion: string | undefined;
  source: "spec" | "builtin";
}

export interface SpecMatch {
  operation: SpecOperation;
  /**
   * Decoded path parameters. Multi-segment ones (`scope`) start with exactly
   * one "/" (root scope is "/"). For Microsoft.Authorization operations
   * without a `{scope}` in their template, `scope` is derived from the path.
   */
  pathParams: Record<string, string>;
}

export interface RequestToValidate {
  query: URLSearchParams;
  /**
   * The request body: raw text (string or Buffer — parsed here, so malformed
   * JSON yields InvalidRequestContent), an already-parsed JSON value, or
   * undefined/empty for none.
   */
  body?: unknown;
}

interface Entry {
  operation: SpecOperation;
  compiled: CompiledTemplate | undefined;
  body?: { required: boolean; schema: LocatedSchema };
  responses: Map<string, LocatedSchema | null>;
  examples: string[];
}

/** The spec files the emulator serves, relative to the specs folder. */
const SPEC_FILES = [
  "storagesync/resource-manager/Microsoft.StorageSync/stable/2022-09-01/storagesync.json",
  "authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json",
  "authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleDefinitionsCalls.json",
];
const ARM_ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
  },
};
const METHODS = ["get", "put", "patch", "delete", "post", "head"] as const;
const WRITE_METHODS = new Set<HttpMethod>(["PUT", "PATCH", "DELETE", "POST"]);

/**
 * Every operation the emulator answers, read from the vendored Swagger files
 * (plus a small built-in table for providers without a vendored spec):
 * routing (`match`), request validation as ARM does it (`validateRequest`)
 * and response checks for tests (`validateResponse`).
 */
export class SpecCatalog {
  private readonly entries: Entry[] = [];
  private readonly byOperationId = new Map<string, Entry>();
  private readonly resolver = new RefResolver();
  private readonly validator = new SchemaValidator(this.resolver);

  private constructor(readonly specsDir: string) {}

  static load(dir: string = path.join(__dirname, "..", "..", "..", "specs")): SpecCatalog {
    const catalog = new SpecCatalog(path.resolve(dir));
    for (const relative of SPEC_FILES) catalog.addSpecFile(path.join(catalog.specsDir, relative));
    catalog.addBuiltins();
    // Most specific first: fewer multi-segment parameters, then more literal segments.
    catalog.entries.sort((a, b) => rank(a) - rank(b));
    return catalog;
  }

  /** All operations, in matching order. */
  operations(): SpecOperation[] {
    return this.entries.map((e) => e.operation);
  }

  operation(operationId: string): SpecOperation | undefined {
    return this.byOperationId.get(operationId)?.operation;
  }

  /** Absolute paths of the example files the spec lists for an operation (`x-ms-examples`). */
  examplesOf(operationId: string): string[] {
    return this.byOperationId.get(operationId)?.examples ?? [];
  }

  match(method: string, requestPath: string): SpecMatch | undefined {
    const upper = method.toUpperCase();
    const normalized = normalizeRequestPath(requestPath);
    for (const entry of this.entries) {
      if (entry.operation.method !== upper || !entry.compiled) continue;
      const pathParams = matchTemplate(entry.compiled, normalized);
      if (!pathParams) continue;
      if (
        entry.operation.resourceType.toLowerCase().startsWith("microsoft.authorization") &&
        pathParams.scope === undefined
      ) {
        const at = normalized.toLowerCase().lastIndexOf("/providers/microsoft.authorization/");
        pathParams.scope = at <= 0 ? "/" : normalized.slice(0, at);
      }
      return { operation: entry.operation, pathParams };
    }
    return undefined;
  }

  /** True when some operation has this path under another method (for 405 vs 404). */
  matchesAnyMethod(requestPath: string): boolean {
    const normalized = normalizeRequestPath(requestPath);
    return this.entries.some((e) => e.compiled !== undefined && matchTemplate(e.compiled, normalized) !== undefined);
  }

  validateRequest(match: SpecMatch, request: RequestToValidate): RequestRejection | undefined {
    const { operation } = match;
    const versionProblem = checkApiVersion(operation, request.query);
    if (versionProblem) return versionProblem;
    const subscriptionProblem = checkSubscriptionId(match.pathParams);
    if (subscriptionProblem) return subscriptionProblem;
    const nameProblem = checkResourceNames(match.pathParams);
    if (nameProblem) return nameProblem;

    const entry = this.byOperationId.get(operation.operationId);
    // Like ARM, an operation without a body parameter (GET, DELETE) ignores whatever body came along.
    if (!entry?.body) return undefined;
    const parsed = parseBody(request.body);
    if (!parsed.ok) {
      return invalidContent(`The request content was invalid and could not be deserialized: ${parsed.error}`);
    }
    if (parsed.value === undefined || parsed.value === null) {
      if (entry.body.required)
        return invalidContent(
          "The request content was invalid and could not be deserialized: the request body is required.",
        );
    } else {
      const problems = this.validator.validate(entry.body.schema, parsed.value, "request");
      if (problems.length > 0) return invalidContent(`The request content was invalid: ${problems.join("; ")}.`);
    }
    if (operation.operationId === "RoleAssignments_Create")
      return checkRoleAssignmentCreate(match.pathParams, parsed.value);
    return undefined;
  }

  /** Problems of a response against the spec's schema for that status ([] when it conforms). */
  validateResponse(operationId: string, status: number, body: unknown): string[] {
    const entry = this.byOperationId.get(operationId);
    if (!entry) return [`unknown operation ${operationId}`];
    // "default" describes the error body; a success status must be declared by itself.
    const declared = entry.responses.has(String(status))
      ? entry.responses.get(String(status))
      : status >= 400
        ? entry.responses.get("default")
        : undefined;
    if (declared === undefined) return [`status ${status} is not declared for ${operationId}`];
    if (declared === null) return [];
    if (body === undefined || body === "") return [`status ${status} of ${operationId} needs a body`];
    return this.validator.validate(declared, body, "response");
  }

  private addSpecFile(file: string): void {
    const doc = this.resolver.document(file);
    const specApiVersion = doc.info?.version;
    const pathSets = [doc.paths ?? {}, doc["x-ms-paths"] ?? {}];
    for (const paths of pathSets) {
      for (const [template, item] of Object.entries(paths)) {
        for (const method of METHODS) {
          const op = item[method];
          if (!op?.operationId) continue;
          this.addSpecOperation(
            file,
            template,
            method.toUpperCase() as HttpMethod,
            op,
            [...(item.parameters ?? []), ...(op.parameters ?? [])],
            specApiVersion,
          );
        }
      }
    }
  }

  private addSpecOperation(
    file: string,
    template: string,
    method: HttpMethod,
    op: SwaggerOperation,
    rawParams: SwaggerParameter[],
    specApiVersion: string | undefined,
  ): void {
    const params = rawParams.map((p) => this.resolver.deref(p, file));
    const skipEncoded = new Set(
      params
        .filter((p) => p.value["x-ms-skip-url-encoding"] === true && p.value.in === "path")
        .map((p) => p.value.name ?? ""),
    );
    const bodyParam = params.find((p) => p.value.in === "body");
    const cleanTemplate = template.split("?")[0]!;
    const resourceType = resourceTypeOf(cleanTemplate);
    const responses = new Map<string, LocatedSchema | null>();
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      const resolved = this.resolver.deref<SwaggerResponse>(response, file);
      responses.set(status, resolved.value.schema ? { schema: resolved.value.schema, file: resolved.file } : null);
    }
    const examples = Object.values(op["x-ms-examples"] ?? {})
      .map((e) => e.$ref)
      .filter((ref): ref is string => typeof ref === "string")
      .map((ref) => path.resolve(path.dirname(file), ref));
    this.addEntry({
      operation: {
        operationId: op.operationId!,
        method,
        pathTemplate: cleanTemplate,
        longRunning: op["x-ms-long-running-operation"] === true,
        isWrite: WRITE_METHODS.has(method),
        resourceType,
        apiVersions: supportedApiVersions(resourceType),
        specApiVersion,
        source: "spec",
      },
      compiled: compileTemplate(cleanTemplate, skipEncoded),
      body: bodyParam?.value.schema
        ? {
            required: bodyParam.value.required === true,
            schema: { schema: bodyParam.value.schema, file: bodyParam.file },
          }
        : undefined,
      responses,
      examples,
    });
  }

  private addBuiltins(): void {
    const here = path.join(this.specsDir, "builtin");
    for (const op of BUILTIN_OPERATIONS) {
      const resourceType = op.resourceType ?? resourceTypeOf(op.pathTemplate);
      const responses = new Map<string, LocatedSchema | null>();
      if (op.method === "DELETE") {
        responses.set("200", null).set("204", null);
        if (op.longRunning) responses.set("202", null);
      } else {
        responses.set("200", op.responseSchema ? { schema: op.responseSchema, file: here } : null);
        if (op.method === "PUT")
          responses.set("201", op.responseSchema ? { schema: op.responseSchema, file: here } : null);
        if (op.longRunning) responses.set("202", null);
      }
      responses.set("default", { schema: ARM_ERROR_SCHEMA, file: here });
      this.addEntry({
        operation: {
          operationId: op.operationId,
          method: op.method,
          pathTemplate: op.pathTemplate,
          longRunning: op.longRunning,
          isWrite: WRITE_METHODS.has(op.method),
          resourceType,
          apiVersions: supportedApiVersions(resourceType),
          specApiVersion: undefined,
          source: "builtin",
        },
        compiled: compileTemplate(op.pathTemplate, new Set()),
        body: op.requestBody
          ? { required: op.requestBody.required, schema: { schema: op.requestBody.schema, file: here } }
          : undefined,
        responses,
        examples: [],
      });
    }
  }

  private addEntry(entry: Entry): void {
    this.entries.push(entry);
    if (!this.byOperationId.has(entry.operation.operationId))
      this.byOperationId.set(entry.operation.operationId, entry);
  }
}

function rank(entry: Entry): number {
  if (!entry.compiled) return Number.MAX_SAFE_INTEGER;
  return entry.compiled.spanning.size * 1000 - entry.compiled.literalSegments;
}

function checkApiVersion(operation: SpecOperation, query: URLSearchParams): RequestRejection | undefined {
  let version: string | undefined;
  for (const [key, value] of query) if (key.toLowerCase() === "api-version") version = value;
  if (version === undefined || version === "") {
    return {
      status: 400,
      code: "MissingApiVersionParameter",
      message: "The api-version query parameter (?api-version=) is required for all requests.",
    };
  }
  const supported = operation.apiVersions.join(", ");
  if (!API_VERSION_SHAPE.test(version)) {
    return {
      status: 400,
      code: "InvalidApiVersionParameter",
      message: `The api-version '${version}' is invalid. The supported versions are '${supported}'.`,
    };
  }
  if (!operation.apiVersions.includes(version)) {
    const type = operation.resourceType.split("/").slice(1).join("/") || operation.resourceType;
    return {
      status: 400,
      code: "NoRegisteredProviderFound",
      message: `No registered resource provider found for location 'global' and API version '${version}' for type '${type}'. The supported api-versions are '${supported}'.`,
    };
  }
  return undefined;
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; error: string };

function parseBody(body: unknown): ParsedBody {
  const raw = typeof body === "string" ? body : Buffer.isBuffer(body) ? body.toString("utf8") : undefined;
  if (raw === undefined) return { ok: true, value: body };
  if (raw.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function invalidContent(message: string): RequestRejection {
  return { status: 400, code: "InvalidRequestContent", message };
}
