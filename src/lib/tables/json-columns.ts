/**
 * A table property holds at most 64 KiB (32 K UTF-16 characters), but a plan
 * or its outcomes can be larger: a JSON value is spread over numbered
 * properties and read back whole. Past the cap it is replaced by a marker that
 * says so, so the write never fails half-way on size.
 */
const CHUNK = 30_000;
const MAX_CHUNKS = 12;

export function toJsonColumns(name: string, value: unknown): Record<string, string | number> {
  let text = JSON.stringify(value ?? null);
  if (text.length > CHUNK * MAX_CHUNKS) {
    text = JSON.stringify({ truncated: true, originalLength: text.length });
  }
  const columns: Record<string, string | number> = {};
  const chunks = Math.max(1, Math.ceil(text.length / CHUNK));
  for (let i = 0; i < chunks; i++) {
    columns[i === 0 ? name : `${name}_${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
  }
  columns[`${name}_chunks`] = chunks;
  return columns;
}

export function fromJsonColumns(entity: Record<string, unknown>, name: string): unknown {
  const first = entity[name];
  if (typeof first !== "string") return undefined;
  const chunks = typeof entity[`${name}_chunks`] === "number" ? (entity[`${name}_chunks`] as number) : 1;
  let text = first;
  for (let i = 1; i < chunks; i++) {
    const part = entity[`${name}_${i}`];
    if (typeof part !== "string") return undefined;
    text += part;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
