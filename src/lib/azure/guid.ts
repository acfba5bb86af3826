/** A GUID's text form (8-4-4-4-12 hex digits), any case. Its `source` is reused inside larger patterns. */
const GUID_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
export const GUID = new RegExp(`^${GUID_TEXT.source}$`, "i");
export const GUID_SOURCE = GUID_TEXT.source;
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

/** Two GUIDs that are both present and equal in any case (principal, application and tenant ids). */
export function sameGuid(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}
