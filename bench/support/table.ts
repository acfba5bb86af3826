/** Prints rows as an aligned text table (first row: headings). */
export function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  "));
}

/** "0.83 (target <= 1.30) met" */
export function verdict(ratio: number, target: number): string {
  return `${ratio.toFixed(2)} (target <= ${target.toFixed(2)}) ${ratio <= target ? "met" : "MISSED"}`;
}

/** A positive number from the environment, or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}
