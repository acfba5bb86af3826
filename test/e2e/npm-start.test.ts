import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { E2E_TEST_TIMEOUT_MS } from "./support/e2e-stack";
import { startNpmStart } from "./support/npm-start-process";

/** Every process below pid (Linux `ps`), so the test can check that none survives. */
function descendants(pid: number): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() ?? -1) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// `npm start` (dev/start.ts on the built app): the story ends with the new server Active, and Ctrl-C leaves nothing behind.
describe("npm start", () => {
  it(
    "tells the story within a minute, prints the status URLs with the key, and stops everything on SIGINT",
    async () => {
      const npm = await startNpmStart(60_000);
      const child = npm.child;
      const output = npm.output;
      expect(output(), output()).toContain("press Ctrl-C");
      expect(output()).toMatch(/\[story\] ✔ fs06\.contoso\.local now authenticates with its managed identity/);
      const key = /function key: ([A-Za-z0-9]+)/.exec(output())?.[1] ?? "";
      const servicesUrl = /curl -s -H "x-functions-key: [A-Za-z0-9]+" (http:\/\/127\.0\.0\.1:\d+\/api\/services)/.exec(output())?.[1] ?? "";
      const response = await fetch(servicesUrl, { headers: { "x-functions-key": key } });
      expect(response.status).toBe(200);

      const processes = descendants(child.pid ?? -1);
      expect(processes.length).toBeGreaterThanOrEqual(2); // at least Azurite and the host
      expect(await npm.stop()).toBe(0);
      expect(output()).toContain("[stack] stopped");
      // Helpers that exit on their own once their parent is gone (tsx's esbuild service) get a bounded moment to do so.
      const gone = Date.now() + 5_000;
      while (processes.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
      const survivors = processes.filter(alive);
      expect(survivors, survivors.length > 0 ? execFileSync("ps", ["-o", "pid,cmd", "-p", survivors.join(",")], { encoding: "utf8" }) : "").toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
