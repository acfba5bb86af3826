import { createHash } from "node:crypto";
import { resourceIdKey } from "../azure";

/**
 * Table keys cannot contain `/ \ # ?` and ARM ids are full of slashes, so a
 * resource id is keyed by a hash of its lower-cased form (ARM ids are
 * case-insensitive); the id itself is always stored as a property too.
 */
export function resourceKey(resourceId: string): string {
  return createHash("sha256").update(resourceIdKey(resourceId)).digest("hex").slice(0, 32);
}

/** Row key of a registered server: its GUID, lower-cased. */
export function serverKey(serverId: string): string {
  return serverId.trim().toLowerCase();
}

/** Characters the Table service refuses in PartitionKey/RowKey (plus control characters). */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_KEY_CHARS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export function isValidTableKey(key: string): boolean {
  return key.length > 0 && key.length <= 512 && !FORBIDDEN_KEY_CHARS.test(key);
}

/** Escapes a string literal for an OData filter. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
