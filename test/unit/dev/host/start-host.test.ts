import path from "node:path";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../../../../dev/host/logger";
import { startHost } from "../../../../dev/host/start-host";

// Own file: hooks are process-wide (as in the worker), and this app's appStart hook always fails.
describe("appStart hooks", () => {
  it("a failing appStart hook stops the host before it serves anything, naming the reason", async () => {
    const attempt = startHost({
      projectDir: path.join(__dirname, "fixtures", "failing-start-app"),
      settings: {},
      logger: memoryLogger(),
    });
    await expect(attempt).rejects.toThrow(
      /appStart hook of the app failed; the host will not start: MANAGED_SCOPES is required/,
    );
  });
});
