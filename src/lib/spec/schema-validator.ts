import type { RefResolver } from "./ref-resolver";
import type { LocatedSchema, SwaggerSchema } from "./swagger-types";

/**
 * Validates JSON values against the Swagger 2.0 schema subset the Azure specs
 * use. Hand-written rather than ajv because every rule that matters here is an
 * ARM-specific twist that ajv would need as custom keywords anyway:
 * readOnly properties are ignored (and not required) on input, enum values
 * compare case-insensitively (and ignoring blanks around commas, as in
 * "SystemAssigned, UserAssigned"), property names match case-insensitively
 * like ARM's JSON.NET deserializer, and null counts as absent. Problems come
 * back as "path: message" strings so the caller can build ARM error bodies.
 */
export type ValidationMode = "request" | "response";

interface ObjectShape {
  properties: Map<string, LocatedSchema>;
  required: Set<string>;
  additional?: LocatedSchema;
  readOnly: Set<string>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function normalizeEnumValue(value: string): string {
  return value.replace(/\s+/g, "").toLowerCase();
}

export class SchemaValidator {
  constructor(private readonly resolver: RefResolver) {}

  validate(located: LocatedSchema, value: unknown, mode: ValidationMode, at = ""): string[] {
    const problems: string[] = [];
    this.check(located, value, mode, at, problems);
    return problems;
  }

  private check(located: LocatedSchema, value: unknown, mode: ValidationMode, at: string, problems: string[]): void {
    const { value: schema, file } = this.resolver.deref(located.schema, located.file);
    if (value === null || value === undefined) return;
    const label = at === "" ? "(body)" : at;

    // Extensible enums (modelAsString) may grow on the service side: a response
    // may carry a newer value, a request must use a known one.
    const closedEnum = mode === "request" || schema["x-ms-enum"]?.modelAsString !== true;
    if (schema.enum && closedEnum && typeof value === "string") {
      const allowed = schema.enum.filter((e): e is string => typeof e === "string");
      if (!allowed.some((e) => normalizeEnumValue(e) === normalizeEnumValue(value))) {
        problems.push(`${label}: '${value}' is not one of ${allowed.map((e) => `'${e}'`).join(", ")}`);
        return;
      }
    }

    const type =
      schema.type ?? (schema.properties || schema.allOf || schema.additionalProperties ? "object" : undefined);
    if (type !== undefined && !matchesType(type, value)) {
      problems.push(`${label}: expected ${type} but got ${describe(value)}`);
      return;
    }

    if (typeof value === "string") {
      if (schema.minLength !== undefined && value.length < schema.minLength)
        problems.push(`${label}: shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        problems.push(`${label}: longer than ${schema.maxLength}`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
        problems.push(`${label}: does not match ${schema.pattern}`);
      // Services reject malformed GUIDs they parse; in responses the specs' own examples are too sloppy to hold to it.
      if (mode === "request" && schema.format === "uuid" && !GUID.test(value))
        problems.push(`${label}: '${value}' is not a GUID`);
    }
    if (typeof value === "number") {
      if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${label}: below ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${label}: above ${schema.maximum}`);
    }
    if (Array.isArray(value)) {
      if (schema.items)
        value.forEach((item, i) => this.check({ schema: schema.items!, file }, item, mode, `${at}[${i}]`, problems));
      return;
    }
    if (type === "object" && typeof value === "object") {
      this.checkObject(this.shape({ schema, file }), value as Record<string, unknown>, mode, at, problems);
    }
  }

  private checkObject(
    shape: ObjectShape,
    value: Record<string, unknown>,
    mode: ValidationMode,
    at: string,
    problems: string[],
  ): void {
    const prefix = at === "" ? "" : `${at}.`;
    for (const name of shape.required) {
      if (mode === "request" && shape.readOnly.has(name)) continue;
      const present = findKey(value, name);
      if (present === undefined || value[present] === null || value[present] === undefined) {
        problems.push(`${prefix}${name}: required property is missing`);
      }
    }
    for (const [key, child] of Object.entries(value)) {
      const declared = findKey(Object.fromEntries(shape.properties), key);
      if (declared !== undefined) {
        if (mode === "request" && shape.readOnly.has(declared)) continue;
        this.check(shape.properties.get(declared)!, child, mode, `${prefix}${declared}`, problems);
      } else if (shape.additional) {
        this.check(shape.additional, child, mode, `${prefix}${key}`, problems);
      }
    }
  }

  /** Merges an object schema with everything it inherits through allOf. */
  private shape(
    located: LocatedSchema,
    into: ObjectShape = { properties: new Map(), required: new Set(), readOnly: new Set() },
  ): ObjectShape {
    const { value: schema, file } = this.resolver.deref(located.schema, located.file);
    for (const parent of schema.allOf ?? []) this.shape({ schema: parent, file }, into);
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      into.properties.set(name, { schema: prop, file });
      if (prop.readOnly === true || this.resolver.deref(prop, file).value.readOnly === true) into.readOnly.add(name);
    }
    for (const name of schema.required ?? []) into.required.add(name);
    if (typeof schema.additionalProperties === "object")
      into.additional ??= { schema: schema.additionalProperties, file };
    return into;
  }
}

/** Exact key first, then ARM's case-insensitive property binding. */
function findKey(object: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value === "string" ? `string '${value.length > 40 ? value.slice(0, 40) + "…" : value}'` : typeof value;
}

export type { SwaggerSchema };
