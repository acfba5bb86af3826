import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareAgentVersions, isAgentTooOld, parseAgentVersion } from "../../../../src/lib/reconcile/agent-version";
import { classifyServer } from "../../../../src/lib/reconcile/eligibility";
import { guid, server } from "../../support/topology";

describe("classifyServer", () => {
  const min = "19.1.0.0";
  it.each([
    ["latestApplicationId reported", { latestApplicationId: guid(1, "c") }, "Eligible", guid(1, "c")],
    ["Certificate with applicationId", { applicationId: guid(1, "b") }, "Eligible", guid(1, "b")],
    ["no identity at all", {}, "NoIdentity", undefined],
    [
      "applicationId but auth type unknown",
      { applicationId: guid(1, "b"), activeAuthType: undefined },
      "NoIdentity",
      undefined,
    ],
    ["on its identity", { activeAuthType: "ManagedIdentity", applicationId: guid(1, "b") }, "Active", guid(1, "b")],
    [
      "on its identity, a new one reported (Arc reset)",
      { activeAuthType: "ManagedIdentity", applicationId: guid(1, "b"), latestApplicationId: guid(1, "c") },
      "Eligible",
      guid(1, "c"),
    ],
    ["switch requested, not picked up", { identity: true, applicationId: guid(1, "b") }, "Switched", guid(1, "b")],
    [
      "switch pending, then a new identity reported",
      { identity: true, applicationId: guid(1, "b"), latestApplicationId: guid(1, "c") },
      "Eligible",
      guid(1, "c"),
    ],
    ["too old", { latestApplicationId: guid(1, "c"), agentVersion: "18.0.1.0" }, "AgentTooOld", guid(1, "c")],
    ["no identity, agent too old to report one", { agentVersion: "18.0.1.0" }, "AgentTooOld", undefined],
    ["ClusterName", { serverRole: "ClusterName", latestApplicationId: guid(1, "c") }, "ClusterName", undefined],
  ] as const)("%s", (_, props, state, principal) => {
    const c = classifyServer(server(guid(1, "d"), props), min);
    expect(c.state).toBe(state);
    expect(c.principalId).toBe(principal);
    expect(c.reason.length).toBeGreaterThan(10);
  });
});

describe("agent versions", () => {
  it("compares numerically, missing parts as zero", () => {
    expect(isAgentTooOld("19.0.9.9", "19.1.0.0")).toBe(true);
    expect(isAgentTooOld("19.1", "19.1.0.0")).toBe(false);
    expect(isAgentTooOld("20.0.0.0", "19.1.0.0")).toBe(false);
    expect(isAgentTooOld("9.10.0.0", "19.1.0.0")).toBe(true);
    expect(isAgentTooOld(undefined, "19.1.0.0")).toBe(false);
    expect(isAgentTooOld("garbage", "19.1.0.0")).toBe(false);
  });

  it("is a total order consistent with the numeric tuples", () => {
    const version = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30), fc.nat(30));
    fc.assert(
      fc.property(version, version, (a, b) => {
        const pa = parseAgentVersion(a.join(".")) as number[];
        const pb = parseAgentVersion(b.join(".")) as number[];
        expect(Math.sign(compareAgentVersions(pa, pb))).toBe(-Math.sign(compareAgentVersions(pb, pa)) || 0);
        expect(compareAgentVersions(pa, pb) === 0).toBe(a.join() === b.join());
      }),
    );
  });
});
