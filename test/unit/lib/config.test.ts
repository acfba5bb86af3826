import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadEngineConfig, parseIsoDuration } from "../../../src/lib/config";

const minimal = {
  MANAGED_SCOPES: "/subscriptions/00000000-0000-0000-0000-000000000001",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(minimal);
    expect(config.armEndpoint).toBe("https://management.azure.com");
    expect(config.activationWindowMs).toBe(3_600_000);
    expect(config.minAgentVersion).toBe("20.0.0.0");
    expect(config.reconcileQueueName).toBe("reconcile");
    expect(config.discoveryRecheckDelaysMs[0]).toBe(120_000);
    expect(config.pruneStaleGrants).toBe(false);
  });

  it("reads PRUNE_STALE_GRANTS as true or false only, in the app and the CLI", () => {
    expect(loadConfig({ ...minimal, PRUNE_STALE_GRANTS: "true" }).pruneStaleGrants).toBe(true);
    expect(loadEngineConfig({ PRUNE_STALE_GRANTS: "true" }).pruneStaleGrants).toBe(true);
    expect(() => loadConfig({ ...minimal, PRUNE_STALE_GRANTS: "yes" })).toThrow(
      /PRUNE_STALE_GRANTS must be true or false/,
    );
  });

  it("names every bad setting in one error", () => {
    try {
      loadConfig({ ...minimal, ACTIVATION_WINDOW: "an hour", MAX_CONCURRENCY: "0", ARM_ENDPOINT: "http://x" });
      expect.fail("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain("ACTIVATION_WINDOW");
      expect(message).toContain("MAX_CONCURRENCY");
      expect(message).toContain("ARM_ENDPOINT");
    }
  });

  it("refuses scopes that are not subscriptions or resource groups", () => {
    expect(() => loadConfig({ ...minimal, MANAGED_SCOPES: "/subscriptions/abc/providers/x" })).toThrow(
      /MANAGED_SCOPES/,
    );
  });

  it("refuses scopes with names ARM does not allow, naming the entry and what is wrong", () => {
    const sub = "/subscriptions/00000000-0000-0000-0000-000000000001";
    expect(() => loadConfig({ ...minimal, MANAGED_SCOPES: `${sub}/resourceGroups/..` })).toThrow(
      /MANAGED_SCOPES entry .*resourceGroups\/\.\.".*"\.\." segment/,
    );
    expect(() => loadConfig({ ...minimal, MANAGED_SCOPES: `${sub},${sub}/resourceGroups/rg.` })).toThrow(
      /cannot end with a period/,
    );
    expect(loadConfig({ ...minimal, MANAGED_SCOPES: `${sub}/resourceGroups/rg-(files).eu` }).managedScopes).toEqual([
      `${sub}/resourceGroups/rg-(files).eu`,
    ]);
  });

  it("requires a storage connection", () => {
    expect(() => loadConfig({ MANAGED_SCOPES: minimal.MANAGED_SCOPES })).toThrow(/AzureWebJobsStorage/);
  });
});

describe("parseIsoDuration", () => {
  it("parses days, hours, minutes and seconds", () => {
    expect(parseIsoDuration("PT15M")).toBe(900_000);
    expect(parseIsoDuration("P1DT1H")).toBe(90_000_000);
    expect(parseIsoDuration("PT1.5S")).toBe(1500);
    expect(() => parseIsoDuration("PT")).toThrow();
  });
});
