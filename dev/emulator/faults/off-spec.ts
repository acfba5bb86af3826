/**
 * The `offSpec` fault: an answer that departs from the REST spec, as a
 * service regression or an api-version drift would produce it: one field of
 * the success body removed, or replaced by a value of another JSON type.
 * `field` is a dot path into the body; numeric segments index arrays
 * (`value.0.properties.agentVersion`). A path the body does not have leaves
 * it unchanged.
 */
export type OffSpecChange = "remove" | "wrongType";

/** A value of a different JSON type than `value`. */
function otherType(value: unknown): unknown {
  if (typeof value === "string") return 42;
  if (typeof value === "number" || typeof value === "boolean") return "not-a-" + typeof value;
  return "not-an-" + (Array.isArray(value) ? "array" : "object");
}

export function offSpecBody(body: unknown, field: string, change: OffSpecChange): unknown {
  const copy = structuredClone(body) as unknown;
  const segments = field.split(".").filter((s) => s !== "");
  const last = segments.pop();
  let node: unknown = copy;
  for (const segment of segments) {
    if (node === null || typeof node !== "object") return copy;
    node = (node as Record<string, unknown>)[segment];
  }
  if (last === undefined || node === null || typeof node !== "object" || !(last in node)) return copy;
  const holder = node as Record<string, unknown>;
  if (change === "remove") {
    if (Array.isArray(holder)) holder.splice(Number(last), 1);
    else delete holder[last];
  } else {
    holder[last] = otherType(holder[last]);
  }
  return copy;
}
