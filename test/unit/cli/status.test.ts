import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/cli/args";
import { parseStatusArgs } from "../../../src/cli/status/args";
import { buildView, verdictOf, type ServiceStatus } from "../../../src/cli/status/view";
import { emptyCounts } from "../../../src/lib/store/records";

const env = { AFS_IDENTITY_KEY: "k3y" };
const service = (over: Partial<ServiceStatus>): ServiceStatus => ({
  serviceId: "/subscriptions/1/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/s",
  counts: emptyCounts(),
  converged: true,
  warnings: [],
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

describe("afs-identity status arguments", () => {
  it("turns the app's address into its API root, with or without /api, and takes the key from AFS_IDENTITY_KEY", () => {
    for (const url of [
      "https://func-x.azurewebsites.net",
      "https://func-x.azurewebsites.net/",
      "https://func-x.azurewebsites.net/api/",
    ]) {
      expect(parseStatusArgs(["--url", url], env)).toEqual({
        target: {
          kind: "api",
          apiUrl: "https://func-x.azurewebsites.net/api",
          key: "k3y",
          allowInsecureConnection: false,
        },
        json: false,
      });
    }
    expect(parseStatusArgs(["--url", "http://127.0.0.1:7071", "--json"], env)).toMatchObject({
      target: { apiUrl: "http://127.0.0.1:7071/api", allowInsecureConnection: true },
      json: true,
    });
  });

  it("reads tables by endpoint (identity) or connection string, with the app's prefix", () => {
    expect(parseStatusArgs(["--tables", "https://st1.table.core.windows.net/"], {})).toEqual({
      target: { kind: "tables", tableServiceUri: "https://st1.table.core.windows.net", prefix: "afsIdentity" },
      json: false,
    });
    expect(parseStatusArgs(["--tables", "UseDevelopmentStorage=true"], { TABLE_NAME_PREFIX: "afsProd" })).toMatchObject(
      {
        target: { connectionString: "UseDevelopmentStorage=true", prefix: "afsProd" },
      },
    );
    expect(
      parseStatusArgs(
        ["--tables", "AccountName=st1;AccountKey=a2V5;EndpointSuffix=core.windows.net", "--table-prefix", "other1"],
        {},
      ),
    ).toMatchObject({
      target: { prefix: "other1" },
    });
  });

  it.each([
    [[], {}, "status needs --url"],
    [["--url", "https://a", "--tables", "UseDevelopmentStorage=true"], env, "not both"],
    [["--url", "not a url"], env, "--url must be a URL"],
    [["--url", "http://func-x.azurewebsites.net"], env, "--url must use https"],
    [["--url", "https://func-x.azurewebsites.net/api?code=abc"], env, "without ?query"],
    [["--url", "https://func-x.azurewebsites.net"], {}, "AFS_IDENTITY_KEY"],
    [
      ["--url", "https://func-x.azurewebsites.net", "--table-prefix", "x12"],
      env,
      "--table-prefix only applies to --tables",
    ],
    [["--tables", "http://st1.table.core.windows.net"], {}, "needs the https table endpoint"],
    [["--tables", "st1"], {}, "--tables must be a table endpoint"],
    [
      ["--tables", "UseDevelopmentStorage=true", "--table-prefix", "1bad"],
      {},
      "--table-prefix: TABLE_NAME_PREFIX must be 3-41 letters",
    ],
    [["--tables", "UseDevelopmentStorage=true", "extra"], {}, "unexpected arguments: extra"],
    [["--nope"], {}, "Unknown option '--nope'"],
  ])("refuses %j with a message naming the problem", (argv, environment, message) => {
    expect(() => parseStatusArgs(argv, environment)).toThrow(UsageError);
    expect(() => parseStatusArgs(argv, environment)).toThrow(message);
  });
});

describe("afs-identity status verdict", () => {
  it("converged only when the last run left nothing to do, nothing is Failed or overdue, and nothing is poisoned", () => {
    expect(verdictOf(service({}))).toMatchObject({ converged: true, reasons: [] });
    expect(verdictOf(service({ converged: undefined })).reasons).toEqual(["no completed run yet"]);
    expect(verdictOf(service({ converged: false })).reasons).toEqual(["the last run left work undone"]);
    expect(verdictOf(service({ counts: { ...emptyCounts(), ActivationOverdue: 2 } })).reasons).toEqual([
      "2 ActivationOverdue",
    ]);
    expect(
      verdictOf(service({ poisonedAt: "2026-01-01T00:00:00.000Z", poisonReason: "gave up after 5 attempts" })).reasons,
    ).toEqual(["poisoned: gave up after 5 attempts"]);
    expect(verdictOf(service({ lastRunStatus: "failed", lastError: "AuthorizationFailed: no" })).reasons).toEqual([
      "last run failed: AuthorizationFailed: no",
    ]);
  });

  it("no service at all is not converged; totals add up every service", () => {
    expect(buildView({ source: "x", services: [], attention: [] }).converged).toBe(false);
    const view = buildView({
      source: "x",
      services: [
        service({ counts: { ...emptyCounts(), Active: 2 } }),
        service({ counts: { ...emptyCounts(), Active: 1, Eligible: 4 } }),
      ],
      attention: [],
    });
    expect(view).toMatchObject({ converged: true, totals: { Active: 3, Eligible: 4 } });
  });
});
