import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../../../src/cli/exit-code";
import { ACCOUNT_A, eligibleServer, syncGroupOn, tenant, useEngineHarness } from "../../support/reconcile-harness";

/**
 * The service's own judgement of each agent (agentVersionStatus) decides before any version
 * constant: an Expired or Blocked agent cannot connect, so it is neither granted nor switched;
 * NearExpiry warns with the date; MIN_AGENT_VERSION stays an extra floor.
 */
const harness = useEngineHarness();

async function loadWithTable() {
  const seed = tenant({
    servers: [
      eligibleServer(1, { agentVersion: "21.2.0.0" }),
      eligibleServer(2, { agentVersion: "21.1.0.0" }),
      eligibleServer(3, { agentVersion: "20.0.0.0" }), // expired: the table below dates v20 three days ago
      eligibleServer(4, { agentVersion: "21.0.0.0" }),
    ],
    syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1, 2, 3, 4])],
  });
  seed.agentVersions = [
    { version: "20", expiresInDays: -3 },
    { version: "21" },
    { version: "21.1", expiresInDays: 20 },
    { version: "21.0", blocked: true },
  ];
  await harness.load(seed);
}

describe("agent lifecycle in the engine", () => {
  it("with no table given, the published dates apply: a v20 agent is AgentExpired (2026-10-29), a v21.2 one is switched", async () => {
    await harness.load(
      tenant({
        servers: [eligibleServer(1), eligibleServer(2, { agentVersion: "20.0.0.0" })],
        syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1, 2])],
      }),
    );
    const report = await harness.run();
    const byName = new Map(report.servers.map((s) => [s.name, s]));
    expect(byName.get("fs1.contoso.local")?.state).toBe("Switched");
    const expired = byName.get("fs2.contoso.local");
    expect(expired).toMatchObject({ state: "AgentExpired", switchedThisRun: false });
    expect(expired?.reason).toContain("Agent 20.0.0.0 expired on 2026-10-29");
    expect(JSON.stringify(report.plan)).not.toContain(expired?.serverId ?? "?");
    expect(exitCodeOf(report)).toBe(2);
  });

  it("Expired and Blocked agents get AgentExpired with the date and the supported agents; NearExpiry warns; only Ok and NearExpiry are switched", async () => {
    await loadWithTable();
    const report = await harness.run();
    const byName = new Map(report.servers.map((s) => [s.name, s]));
    expect(byName.get("fs1.contoso.local")?.state).toBe("Switched");
    expect(byName.get("fs2.contoso.local")?.state).toBe("Switched");
    const expired = byName.get("fs3.contoso.local");
    expect(expired).toMatchObject({ state: "AgentExpired", switchedThisRun: false });
    expect(expired?.reason).toMatch(/Agent 20\.0\.0\.0 expired on \d{4}-\d{2}-\d{2}/);
    expect(expired?.remedy).toContain("file-sync-release-notes#supported-versions");
    const blocked = byName.get("fs4.contoso.local");
    expect(blocked).toMatchObject({ state: "AgentExpired" });
    expect(blocked?.reason).toContain("blocked");
    // Neither is granted nor switched.
    const touched = JSON.stringify(report.plan);
    for (const s of [expired, blocked]) expect(touched).not.toContain(s?.serverId ?? "?");
    expect(report.warnings.join(" ")).toMatch(/fs2\.contoso\.local: agent 21\.1\.0\.0 expires on \d{4}-\d{2}-\d{2}/);
    expect(exitCodeOf(report)).toBe(2);
  });

  it("MIN_AGENT_VERSION stays an extra floor for agents the service still calls Ok", async () => {
    await loadWithTable();
    const report = await harness.run(false, { minAgentVersion: "21.2.0.0" });
    const byName = new Map(report.servers.map((s) => [s.name, s.state]));
    expect(byName.get("fs1.contoso.local")).toBe("Switched");
    expect(byName.get("fs2.contoso.local")).toBe("AgentTooOld");
    expect(byName.get("fs3.contoso.local")).toBe("AgentExpired");
  });
});
