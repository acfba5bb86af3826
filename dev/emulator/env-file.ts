import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** KEY=VALUE lines, so that `set -a; . file; set +a` configures a shell for the emulator. */
export function formatEnvFile(env: Record<string, string>): string {
  return (
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join("\n") + "\n"
  );
}

/** Writes the env file, creating its folder (the documented `.local/` is git-ignored, so absent on a fresh clone). */
export function writeEnvFile(file: string, env: Record<string, string>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, formatEnvFile(env));
}
