import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../../dev/emulator/index";
import { emulatorCredential } from "../../../../dev/emulator/emulator-credential";
import { createArmConnection } from "../../../../src/lib/azure/arm-connection";
import { mapWithConcurrency } from "../../../../src/lib/reconcile/concurrency";
import { createRoleAssignment, listRoleAssignmentsAt, ROLE } from "../../../../src/lib/azure/role-assignments";
import { ACCOUNT_A, tenant } from "../../support/reconcile-harness";

describe("ARM throttling across a connection", () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    // A tiny write bucket, time compressed 5x: Retry-After 1 s arrives as retry-after-ms 200.
    emulator = await startEmulator({
      tls: inject("localTls"),
      seed: tenant({ servers: [], syncGroups: [] }),
      lroMode: "sync",
      throttle: { writeBurst: 3, writePerSecond: 10, timeScale: 5 },
    });
  });
  afterAll(() => emulator.close());

  it("gets every write of a burst far above the bucket through, with the SDK's own retries off", async () => {
    const arm = createArmConnection({
      endpoint: emulator.armEndpoint,
      credential: emulatorCredential(emulator),
      tlsCa: emulator.caCertPem,
      maxRetries: 0,
    });
    const principals = Array.from(
      { length: 30 },
      (_, i) => `aaaa0000-0000-4000-8000-${i.toString().padStart(12, "0")}`,
    );
    const results = await Promise.all(
      principals.map((principalId) =>
        createRoleAssignment(arm, {
          scope: ACCOUNT_A,
          principalId,
          roleDefinitionGuid: ROLE.storageAccountContributor,
        }),
      ),
    );
    expect(results.every((r) => r.status === "created")).toBe(true);
    expect(emulator.core.throttle.refused().write).toBeGreaterThan(0);
    const listed = await listRoleAssignmentsAt(arm, ACCOUNT_A);
    expect(new Set(listed.filter((a) => principals.includes(a.principalId)).map((a) => a.principalId)).size).toBe(30);
  });

  it("paced at the bucket's refill, meets far fewer 429s than waiting out Retry-After only", async () => {
    const refusedWith = async (throttlePacing: boolean, prefix: string): Promise<number> => {
      const arm = createArmConnection({
        endpoint: emulator.armEndpoint,
        credential: emulatorCredential(emulator),
        tlsCa: emulator.caCertPem,
        maxRetries: 0,
        throttlePacing,
      });
      emulator.core.throttle.reset();
      const principals = Array.from(
        { length: 60 },
        (_, i) => `${prefix}-0000-4000-8000-${i.toString().padStart(12, "0")}`,
      );
      // A run's bounded concurrency (MAX_CONCURRENCY's default), not one burst of everything at once.
      const results = await mapWithConcurrency(principals, 4, (principalId) =>
        createRoleAssignment(arm, {
          scope: ACCOUNT_A,
          principalId,
          roleDefinitionGuid: ROLE.storageAccountContributor,
        }),
      );
      expect(results.every((r) => r.status === "created")).toBe(true);
      return emulator.core.throttle.refused().write;
    };
    const retryAfterOnly = await refusedWith(false, "bbbb0000");
    const paced = await refusedWith(true, "cccc0000");
    // Sending until refused meets a 429 every few writes once the 3-token burst is gone; pacing meets almost none.
    expect(retryAfterOnly).toBeGreaterThanOrEqual(10);
    expect(paced * 3).toBeLessThanOrEqual(retryAfterOnly);
  });
});
