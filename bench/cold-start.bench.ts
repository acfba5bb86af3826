import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { compareStarts } from "./support/node-start";
import { printTable } from "./support/table";

/**
 * Cold start: a fresh `node` that requires what the Functions host loads
 * before the first invocation (package.json main: dist/index.js with the
 * appStart hook and every dist/functions/*.js registration, with all they
 * import at the top) against a bare `node` start, same run, alternating
 * so machine load hits both alike. Target: at most 250 ms more than the bare
 * start (the median of each). The Functions host's own start is not ours to
 * measure. `npm run bench` builds dist/ first.
 */
const RUNS = 9;
const TARGET_EXTRA_MS = 250;

export default async function run(): Promise<void> {
  const dir = path.join(__dirname, "..", "dist", "functions");
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run npm run build (npm run bench does)`);
  const files = [
    path.join(dir, "..", "index.js"),
    ...readdirSync(dir)
      .filter((f) => f.endsWith(".js"))
      .map((f) => path.join(dir, f)),
  ];
  const load = `for (const f of ${JSON.stringify(files)}) require(f);`;
  const { bare, loaded } = compareStarts({ loaded: { script: load } }, RUNS);
  const extra = loaded - bare;
  console.log(`Cold start: node requiring index.js and all ${files.length - 1} function modules vs bare node (median of ${RUNS} each)`);
  printTable([
    ["bare node (ms)", "all function modules (ms)", "extra (ms)", "loaded / bare", "extra / 250 ms target"],
    [
      bare.toFixed(0),
      loaded.toFixed(0),
      extra.toFixed(0),
      (loaded / bare).toFixed(2),
      `${(extra / TARGET_EXTRA_MS).toFixed(2)} (target <= 1.00) ${extra <= TARGET_EXTRA_MS ? "met" : "MISSED"}`,
    ],
  ]);
}
