import { describe, expect, it } from "vitest";
import { UsageError, parseCliArgs } from "../../../src/cli/args";
import { exitCodeOf } from "../../../src/cli/exit-code";
import type { ReconcileReport, ServerVerdict } from "../../../src/lib/reconcile";

const SERVICE =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/s";

describe("afs-identity arguments", () => {
  it("parses plan and apply for a service or a subscription", () => {
    expect(parseCliArgs(["plan", SERVICE])).toEqual({
      command: "plan",
      target: { serviceId: SERVICE },
      json: false,
      yes: false,
      concurrency: 16,
    });
    expect(
      parseCliArgs([
        "apply",
        "--subscription",
        "/subscriptions/11111111-1111-4111-8111-111111111111",
        "--yes",
        "--json",
      ]),
    ).toEqual({
      command: "apply",
      target: { scopes: ["/subscriptions/11111111-1111-4111-8111-111111111111"] },
      json: true,
      yes: true,
      concurrency: 16,
    });
    expect(parseCliArgs(["--help"])).toBe("help");
  });

  it("takes several --subscription and --scope values in MANAGED_SCOPES syntax, each scope once", () => {
    const A = "11111111-1111-4111-8111-111111111111";
    const B = "22222222-2222-4222-8222-222222222222";
    const args = parseCliArgs([
      "plan",
      "--subscription",
      A,
      "--scope",
      `/subscriptions/${B}/resourceGroups/rg-a, /subscriptions/${B}/resourceGroups/rg-b/`,
      "--scope",
      `/subscriptions/${A.toUpperCase()}`,
      "--concurrency",
      "4",
    ]);
    expect(args).toEqual({
      command: "plan",
      target: {
        scopes: [
          `/subscriptions/${A.toUpperCase()}`,
          `/subscriptions/${B}/resourceGroups/rg-a`,
          `/subscriptions/${B}/resourceGroups/rg-b`,
        ],
      },
      json: false,
      yes: false,
      concurrency: 4,
    });
  });

  it.each([
    [[], "missing command"],
    [["destroy", SERVICE], 'unknown command "destroy"'],
    [["plan"], "missing Storage Sync Service id"],
    [["plan", SERVICE, "--subscription", "11111111-1111-4111-8111-111111111111"], "not both"],
    [["plan", SERVICE, "--scope", "/subscriptions/11111111-1111-4111-8111-111111111111"], "not both"],
    [["plan", "--scope", "/subscriptions/11111111-1111-4111-8111-111111111111/providers/x"], "--scope"],
    [["plan", "--scope", " , "], "--scope names no scope"],
    [["plan", "--scope", "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg."], "period"],
    [
      ["plan", "--subscription", "11111111-1111-4111-8111-111111111111", "--concurrency", "0"],
      "--concurrency must be a whole number from 1 to 64",
    ],
    [["plan", "--subscription", "11111111-1111-4111-8111-111111111111", "--concurrency", "65"], "--concurrency"],
    [["plan", "--subscription", "prod"], "subscription GUID"],
    [["plan", SERVICE, "--yes"], "--yes only applies to apply"],
    [["plan", SERVICE, "extra"], "unexpected arguments"],
    [["plan", SERVICE, "--force"], "Unknown option"],
    [["plan", SERVICE.replace("/rg/", "/../")], '".." segment'],
    [["apply", `${SERVICE}.`], "cannot end with a period"],
  ])("rejects %j: %s", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe("exit codes", () => {
  const report = (converged: boolean, states: ServerVerdict["state"][]): ReconcileReport =>
    ({ converged, servers: states.map((state) => ({ state })) }) as unknown as ReconcileReport;
  it("is 0 when converged, 2 when something is pending, failed or blocked by an old agent", () => {
    expect(exitCodeOf(report(true, ["Switched", "NoIdentity", "Active", "ClusterName"]))).toBe(0);
    expect(exitCodeOf(report(false, ["Eligible"]))).toBe(2);
    expect(exitCodeOf(report(true, ["AgentTooOld"]))).toBe(2);
    expect(exitCodeOf(report(true, ["Failed"]))).toBe(2);
  });
});
