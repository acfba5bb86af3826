import { describe, expect, it } from "vitest";
import { evaluateActivation } from "../../../../src/lib/activation/evaluate";
import type { ServerRecord } from "../../../../src/lib/store/rows";

const P = "11111111-1111-1111-1111-111111111111";
const record: ServerRecord = {
  serviceId: "s",
  serverId: "a",
  resourceId: "r",
  name: "srv01",
  principalId: P,
  state: "Switched",
  reason: "",
  lastCheckedAt: "",
  switchAttempts: 1,
  autoReruns: 0,
};
const observed = (activeAuthType: string | undefined, applicationId?: string) => ({
  resourceId: "r",
  serverId: "a",
  serviceId: "s",
  name: "srv01",
  activeAuthType,
  applicationId,
});

describe("evaluateActivation", () => {
  it("ManagedIdentity with the expected principal → Active (GUIDs compared case-insensitively)", () => {
    expect(evaluateActivation(record, observed("managedIdentity", P.toUpperCase()), 3_600_000).state).toBe("Active");
  });
  it("still Certificate → overdue with a remedy", () => {
    const v = evaluateActivation(record, observed("Certificate", P), 3_600_000);
    expect(v).toMatchObject({ state: "ActivationOverdue", reason: expect.stringMatching(/certificate.*60 min/) });
    if (v.state === "ActivationOverdue") expect(v.remedy).toMatch(/azcmagent|Arc/);
  });
  it("ManagedIdentity with another principal → overdue, explained as an identity change", () => {
    const v = evaluateActivation(record, observed("ManagedIdentity", "22222222-2222-2222-2222-222222222222"), 900_000);
    expect(v.state).toBe("ActivationOverdue");
    expect(v.reason).toMatch(/instead of/);
  });
  it("no activeAuthType at all → overdue", () => {
    expect(evaluateActivation(record, observed(undefined), 900_000).state).toBe("ActivationOverdue");
  });
});
