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
  const names: string[] = [];
  let inFence = false;
  let sawTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const sub = /^(#{1,6})\s/.exec(line);
    if (sub && (sub[1] as string).length <= level) break;
    if (!line.trim().startsWith("|")) continue;
    const firstCell = line.trim().replace(/^\|/, "").split("|")[0]?.trim() ?? "";
    if (/^:?-{3,}:?$/.test(firstCell)) {
      sawTable = true;
      continue;
    }
    // The row above the separator is the header.
    if (!sawTable) continue;
    const backticked = [...firstCell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    names.push(...(backticked.length > 0 ? backticked : [firstCell]));
  }
  return sawTable ? names : undefined;
}
