import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  agentSupportsIdentity,
  evaluateAgent,
  holdsShareRole,
  sharesOf,
  switchServerToIdentity,
} from "../../../../dev/emulator/agent";
import { SimulatedClock } from "../../../../dev/emulator/clock";
import { ROLE_IDS } from "../../../../dev/emulator/roles";
import { parseSeed, TEST_TENANT_ID } from "../../../../dev/emulator/seed";
import { loadSeedIntoState } from "../../../../dev/emulator/seed-loader";
import { EmulatorState } from "../../../../dev/emulator/state";

const version = fc.tuple(fc.nat(30), fc.nat(9), fc.nat(9), fc.nat(9));

describe("agent version gate (19.1.0.0)", () => {
  it("is a total order on the four parts", () => {
    fc.assert(
      fc.property(version, ([a, b, c, d]) => {
        const expected = a > 19 || (a === 19 && b >= 1);
        expect(agentSupportsIdentity(`${a}.${b}.${c}.${d}`)).toBe(expected);
      }),
    );
  });
});

const SUB = "33333333-3333-4333-8333-333333333333";
const SERVER = "5e7e0001-0000-4000-8000-000000000001";
const PRINCIPAL = "a7c00001-0000-4000-8000-000000000001";
const ACCOUNT = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`;

function world(grantScope: string | undefined) {
  const seed = parseSeed({
    tenantId: TEST_TENANT_ID,
    caller: { principalId: "c0ffee00-0000-4000-8000-000000000001" },
    subscriptions: [
      {
        subscriptionId: SUB,
        resourceGroups: [
          {
            name: "rg",
            storageAccounts: [{ name: "st", fileShares: ["a", "b"] }],
            arcMachines: [{ name: "fs01", identity: { principalId: PRINCIPAL } }],
            storageSyncServices: [
              {
                name: "sss",
                registeredServers: [{ serverId: SERVER, serverName: "FS01.contoso.local" }],
                syncGroups: [
                  {
                    name: "g1",
                    cloudEndpoints: [{ name: "c", storageAccountResourceId: ACCOUNT, azureFileShareName: "a" }],
                    serverEndpoints: [{ name: "s", serverId: SERVER }],
                  },
                  {
                    name: "g2",
                    cloudEndpoints: [{ name: "c", storageAccountResourceId: ACCOUNT, azureFileShareName: "b" }],
                    serverEndpoints: [{ name: "s", serverId: SERVER }],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
    roleAssignments: grantScope
      ? [{ scope: grantScope, role: ROLE_IDS.storageFileDataPrivilegedContributor, principalId: PRINCIPAL }]
      : [],
  });
  const state = new EmulatorState();
  const clock = new SimulatedClock();
  loadSeedIntoState(state, seed, clock);
  const server = [...state.servers.values()][0]!;
  return { state, clock, server };
}

describe("activation needs the share role on every share, directly or inherited", () => {
  const delays = { discoveryMs: 10, activationMs: 100 };
  for (const [grant, active] of [
    [undefined, false],
    [`${ACCOUNT}/fileServices/default/fileshares/a`, false], // only one of the two shares
    [ACCOUNT, true],
    [`/subscriptions/${SUB}/resourceGroups/rg`, true],
    [`/subscriptions/${SUB}`, true],
  ] as const) {
    it(`grant at ${grant ?? "nowhere"} → ${active ? "ManagedIdentity" : "Certificate"}`, () => {
      const { state, clock, server } = world(grant);
      const now = clock.now();
      evaluateAgent(state, server, now, delays);
      expect(server.latestApplicationId).toBe(PRINCIPAL);
      expect(sharesOf(state, server)).toHaveLength(2);
      expect(switchServerToIdentity(server, now)).toBe(true);
      evaluateAgent(state, server, now + 99, delays);
      expect(server.activeAuthType).toBe("Certificate");
      evaluateAgent(state, server, now + 100, delays);
      expect(server.activeAuthType).toBe(active ? "ManagedIdentity" : "Certificate");
      expect(server.agentError).toBe(active ? undefined : "0x80c86063");
      expect(holdsShareRole(state, PRINCIPAL, `${ACCOUNT}/fileServices/default/fileshares/b`)).toBe(active);
    });
  }
});
