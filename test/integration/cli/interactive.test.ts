import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../dev/emulator/index";
import { runCliCaptured, type CliResult } from "../support/cli-run";

/** `apply` without --yes at a terminal: the plan is shown, and only a "y" applies it. */
const SERVICE =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-filesync/providers/Microsoft.StorageSync/storageSyncServices/sss-prod";

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator({ tls: inject("localTls"), lroMode: "sync" });
  Object.assign(process.env, {
    IDENTITY_ENDPOINT: emulator.identityEndpoint,
    IDENTITY_HEADER: emulator.identityHeader,
  });
  await emulator.admin.advanceTime(60_000);
});
afterAll(async () => {
  await emulator?.close();
});

async function atTerminal(answer: string): Promise<CliResult> {
  const stdin = Object.assign(Readable.from([`${answer}\n`]), { isTTY: true });
  // 19.1.0.0 lets fs04 be brought over too (the default 20.0.0.0 would hold it back as AgentTooOld).
  return runCliCaptured(["apply", SERVICE], {
    env: { ARM_ENDPOINT: emulator.armEndpoint, MIN_AGENT_VERSION: "19.1.0.0" },
    stdin,
  });
}

describe("afs-identity apply at a terminal", () => {
  it("shows the plan and writes nothing when the answer is no", async () => {
    await emulator.admin.resetCalls();
    const result = await atTerminal("n");
    expect(result.stderr).toMatch(/Plan \(\d+ actions\):/);
    expect(result.stderr).toContain("Apply 15 action(s)");
    expect(result.stderr).toContain("Skipped.");
    expect(result.code).toBe(2);
    expect((await emulator.admin.calls()).writes).toBe(0);
  });

  it("applies exactly the shown plan when the answer is yes", async () => {
    await emulator.admin.resetCalls();
    const result = await atTerminal("y");
    expect(result.code).toBe(2); // converged, but fs02's agent (17.3.0.0) is below the minimum
    expect(result.stdout).toContain("converged");
    expect(result.stdout).toMatch(/fs02\S*\s+AgentTooOld/);
    expect((await emulator.admin.calls()).writes).toBe(15);
  });
});
