import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, statSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The project's files as a clone would have them (tracked and untracked, not
 * ignored; timestamps kept), in a new folder, with the repository's
 * node_modules linked in. Building there leaves the repository's dist/ alone
 * while other test files run the app from it.
 */
export function copyProject(root: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), "afs-project-"));
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  for (const name of listed.split("\0").filter(Boolean)) {
    const from = path.join(root, name);
    let stats;
    try {
      stats = statSync(from);
    } catch {
      continue; // deleted in the working tree, still in the index
    }
    if (!stats.isFile()) continue;
    const to = path.join(copy, name);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
    utimesSync(to, stats.atime, stats.mtime);
  }
  symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}
