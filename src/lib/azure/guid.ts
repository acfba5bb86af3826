const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_GUID = /^[{(]?0{8}-0{4}-0{4}-0{4}-0{12}[})]?$/;

/**
 * A GUID from an ARM body, lower-cased, or undefined when absent. ARM (and the
 * spec's examples) use the all-zero GUID, empty strings and quoted or braced
 * values to say "none": all of those are treated as absent.
 */
export function normalizeGuid(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim().replace(/^"+|"+$/g, "").replace(/^[{(]|[})]$/g, "");
  if (trimmed === "" || ZERO_GUID.test(trimmed)) return undefined;
  return GUID.test(trimmed) ? trimmed.toLowerCase() : undefined;
}
