import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or those whose name
 * contains an argument). Each benchmark prints its own table of ratios
 * against a baseline it measures in the same run; none asserts wall-clock time.
 */
interface BenchModule {
  default: () => Promise<void>;
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) throw new Error(`no benchmark matches ${filters.join(", ") || "bench/*.bench.ts"}`);
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const module = (await import(join(__dirname, file))) as BenchModule;
    await module.default();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
