/**
 * The names in the first column of the Markdown table(s) under the first
 * heading whose text matches `heading`, up to the next heading of the same or a
 * higher level. Backticked names are taken as written; `undefined` when there is
 * no such heading or it has no table.
 */
export function firstColumnUnderHeading(markdown: string, heading: RegExp): string[] | undefined {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => {
    const match = /^(#{1,6})\s+(.*)$/.exec(line);
    return match !== null && heading.test(match[2] as string);
  });
  if (start < 0) return undefined;
  const level = (/^(#+)/.exec(lines[start] as string)?.[1] ?? "#").length;

  // Consecutive `|` lines outside code fences form one block.
  const blocks: string[][] = [];
  let current: string[] = [];
  let inFence = false;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const sub = inFence ? null : /^(#{1,6})\s/.exec(line);
    if (sub && (sub[1] as string).length <= level) break;
    if (!inFence && line.trim().startsWith("|")) {
      current.push(line.trim());
      continue;
    }
    if (current.length > 0) blocks.push(current);
    current = [];
  }
  if (current.length > 0) blocks.push(current);

  const firstCell = (row: string) => row.replace(/^\|/, "").split("|")[0]?.trim() ?? "";
  // A table is a header row, a separator row, then data rows.
  const tables = blocks.filter((b) => b.length >= 2 && /^:?-{1,}:?$/.test(firstCell(b[1] as string)));
  if (tables.length === 0) return undefined;
  return tables.flatMap((table) =>
    table.slice(2).flatMap((row) => {
      const cell = firstCell(row);
      const backticked = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
      return backticked.length > 0 ? backticked : [cell];
    }),
  );
}
