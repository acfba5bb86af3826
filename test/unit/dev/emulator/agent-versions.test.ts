import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  agentLifecycle,
  CURRENT_AGENT_VERSION,
  NEAR_EXPIRY_MS,
  PUBLISHED_AGENT_VERSIONS,
} from "../../../../dev/emulator/agent-versions";

/** The published dates (file-sync-release-notes): v20 expires on 2026-10-29, v21 and v22 have no date. */
const V20_EXPIRY = Date.parse("2026-10-29T00:00:00Z");
const anyTime = fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2035-01-01") });
const build = fc.tuple(fc.nat(9), fc.nat(99_999), fc.nat(9_999)).map((p) => p.join("."));

describe("agentLifecycle under the published table", () => {
  it("v20 is Ok until 60 days before 2026-10-29, NearExpiry in them, Expired from that day, always with the date", () => {
    fc.assert(
      fc.property(anyTime, build, (now, rest) => {
        const { status, expiresAt } = agentLifecycle(PUBLISHED_AGENT_VERSIONS, `20.${rest}`, now);
        expect(expiresAt).toBe("2026-10-29T00:00:00Z");
        const expected = now >= V20_EXPIRY ? "Expired" : now >= V20_EXPIRY - NEAR_EXPIRY_MS ? "NearExpiry" : "Ok";
        expect(status).toBe(expected);
      }),
    );
  });

  it("every agent below v20 is Expired at any time from 2026 on", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 19 }), build, anyTime, (major, rest, offset) => {
        const now = Math.max(offset, Date.parse("2026-01-01"));
        expect(agentLifecycle(PUBLISHED_AGENT_VERSIONS, `${major}.${rest}`, now).status).toBe("Expired");
      }),
    );
  });

  it("the current agent (21.2) and v22 are Ok with no date at any time", () => {
    fc.assert(
      fc.property(fc.constantFrom(CURRENT_AGENT_VERSION, "21.1.0.0", "22.0.0.0"), anyTime, (version, now) => {
        expect(agentLifecycle(PUBLISHED_AGENT_VERSIONS, version, now)).toEqual({ status: "Ok" });
      }),
    );
  });

  it('an empty table (a seed\'s "none") judges every agent Ok', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), build, anyTime, (major, rest, now) => {
        expect(agentLifecycle([], `${major}.${rest}`, now)).toEqual({ status: "Ok" });
      }),
    );
  });
});
