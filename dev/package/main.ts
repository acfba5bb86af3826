/**
 * `npm run package [-- --output-path DIR]`: the zip `azd package` would make
 * for the api service (see azd-package.ts), written to DIR (default .local/package).
 */
import path from "node:path";
import { packageLikeAzd } from "./azd-package";
import { REPO_ROOT } from "./bundle";

function outputPath(argv: string[]): string {
  const at = argv.indexOf("--output-path");
  if (at < 0) return path.join(REPO_ROOT, ".local", "package");
  const value = argv[at + 1];
  if (!value) throw new Error("--output-path needs a folder");
  return path.resolve(value);
}

try {
  const result = packageLikeAzd({ projectRoot: REPO_ROOT, outputPath: outputPath(process.argv.slice(2)) });
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  console.log(
    `${result.zipPath}: ${result.entries.length} files, ${mb(result.zipBytes)} (${mb(result.unpackedBytes)} unpacked), remote build: ${result.remoteBuild}`,
  );
  for (const entry of result.entries) console.log(`  ${entry}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
