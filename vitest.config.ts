import { defineConfig } from "vitest/config";

// Three projects: unit tests (pure logic, no Azurite), the infra checks (the
// real Bicep CLI and pwsh, restored into .tools/ by their global setup; no
// Azurite), and everything else, which shares one Azurite for the whole run
// (started by its global setup); every test file starts its own in-process
// emulator, so files never share ARM state. `npm run test:unit` runs the first
// alone, `npm run test:infra` the second.
const shared = { pool: "forks", testTimeout: 60_000, hookTimeout: 60_000 } as const;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          globalSetup: ["test/setup/tls.global.ts"],
        },
      },
      {
        test: {
          ...shared,
          name: "infra",
          include: ["test/infra/**/*.test.ts"],
          globalSetup: ["test/setup/infra-tools.global.ts"],
        },
      },
      {
        test: {
          ...shared,
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/unit/**", "test/infra/**"],
          globalSetup: ["test/setup/tls.global.ts", "test/setup/azurite.global.ts"],
        },
      },
    ],
  },
});
