import { defineConfig } from "vitest/config";

// One Azurite for the whole run (started by the global setup); every test file
// starts its own in-process emulator, so files never share ARM state.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/azurite.global.ts", "test/setup/infra-tools.global.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
