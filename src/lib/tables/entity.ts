import type { z } from "zod";
import { fromJsonColumns } from "./json-columns";

/** A table entity as we write it: keys plus flat scalar properties, never undefined. */
export type FlatEntity = { partitionKey: string; rowKey: string } & Record<string, string | number | boolean>;

/** Drops undefined properties: the Table service has no "undefined", and null would be stored. */
export function flat(
  keys: { partitionKey: string; rowKey: string },
  props: Record<string, string | number | boolean | undefined>,
): FlatEntity {
  const out: FlatEntity = { ...keys };
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Reads a stored entity as a row of `schema`: the named JSON columns are
 * expanded first, a property that does not fit its field is treated as absent
 * (rows written by older versions still read, with the field's default), and
 * the row is undefined when a required field is missing.
 */
export function decodeRow<S extends z.ZodObject>(
  schema: S,
  entity: Record<string, unknown>,
  jsonColumns: readonly string[] = [],
): z.infer<S> | undefined {
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const value = jsonColumns.includes(key) ? fromJsonColumns(entity, key) : entity[key];
    if (value !== undefined && field.safeParse(value).success) fields[key] = value;
  }
  const parsed = schema.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}
