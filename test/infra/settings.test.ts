/**
 * One list of settings everywhere: the names src/lib/config.ts reads
 * (SETTING_NAMES) against the Function App's settings in infra/, the keys of
 * local.settings.sample.json and the README's configuration table. The few
 * deliberate differences are listed below with their reason.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, SETTING_NAMES } from "../../src/lib/config";
import { BicepServer, isDeploymentTimeValue, repoRoot as projectRoot } from "./support/bicep-cli";
import { deploy, ofType, single, type Deployment } from "./support/deployment";
import { firstColumnUnderHeading } from "./support/markdown-table";

/** Read by the app locally but never set in Azure. */
const LOCAL_ONLY_APP_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage:
    "connection string (Azurite locally); in Azure shared keys are disabled and the identity-based AzureWebJobsStorage__* settings are used",
};

/** Read by the app, set in Azure only under a condition that test/infra/status-page-sign-in.test.ts checks. */
const CONDITIONAL_APP_SETTINGS: Record<string, string> = {
  STATUS_PAGE_SIGN_IN:
    "infra/main.bicep sets it to entra only together with App Service Authentication (statusPageSignInClientId)",
};

/** Set in Azure for the Functions host or the platform, not read by the app. */
const HOST_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage__blobServiceUri: "the host's blob endpoint: Flex deployment package, timer and singleton leases",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
    "makes the host send telemetry with the identity's Entra token (local auth is disabled)",
};

/** Only in local.settings.sample.json, for Core Tools. */
const LOCAL_HOST_SETTINGS: Record<string, string> = {
  FUNCTIONS_WORKER_RUNTIME:
    "Core Tools needs it; Flex Consumption takes the runtime from functionAppConfig and rejects the setting",
};

/** Settings Flex Consumption rejects or that would bring keys back. */
const FORBIDDEN_IN_AZURE = [
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_EXTENSION_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_CONTENTSHARE",
  "AzureWebJobsStorage",
  "APPINSIGHTS_INSTRUMENTATIONKEY",
];

/** Stand-ins for values only known at deployment time. */
const DEPLOYMENT_TIME_SAMPLES: Record<string, string> = {
  ARM_ENDPOINT: "https://management.azure.com/",
  MANAGED_SCOPES:
    "/subscriptions/5f8b4a2e-0c1d-4e6f-9a7b-3c2d1e0f9a8b,/subscriptions/5f8b4a2e-0c1d-4e6f-9a7b-3c2d1e0f9a8b/resourceGroups/rg-sync",
  AZURE_CLIENT_ID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  AzureWebJobsStorage__clientId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  AzureWebJobsStorage__blobServiceUri: "https://stexample.blob.core.windows.net/",
  AzureWebJobsStorage__queueServiceUri: "https://stexample.queue.core.windows.net/",
  AzureWebJobsStorage__tableServiceUri: "https://stexample.table.core.windows.net/",
  APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-0000-0000-0000-000000000000",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "ClientId=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d;Authorization=AAD",
  RECONCILE_QUEUE_NAME: "reconcile",
};

let server: BicepServer;
let deployed: Deployment;
const MANAGED_SCOPES = DEPLOYMENT_TIME_SAMPLES.MANAGED_SCOPES as string;

beforeAll(async () => {
  server = BicepServer.start();
  deployed = await deploy(server, { managedScopes: MANAGED_SCOPES });
}, 120_000);

afterAll(() => server?.close());

/** The Function App's settings as Bicep evaluates them: name → value (undefined when computed at deployment). */
function appSettings(d: Deployment = deployed): Map<string, string | undefined> {
  const config = single(d.main, "Microsoft.Web/sites/config");
  expect(config.name.endsWith("/appsettings")).toBe(true);
  return new Map(
    Object.entries(config.properties ?? {}).map(([name, value]) => [
      name,
      isDeploymentTimeValue(value) ? undefined : String(value),
    ]),
  );
}

function differences(actual: Iterable<string>, expected: Iterable<string>) {
  const a = new Set(actual);
  const e = new Set(expected);
  return { missing: [...e].filter((n) => !a.has(n)).sort(), extra: [...a].filter((n) => !e.has(n)).sort() };
}

describe("setting names", () => {
  it("reads a non-trivial list from config.ts, with the allow-lists naming real differences", () => {
    expect(SETTING_NAMES.length).toBeGreaterThan(10);
    for (const name of [...Object.keys(LOCAL_ONLY_APP_SETTINGS), ...Object.keys(CONDITIONAL_APP_SETTINGS)])
      expect(SETTING_NAMES).toContain(name);
    for (const name of [...Object.keys(HOST_SETTINGS), ...Object.keys(LOCAL_HOST_SETTINGS)])
      expect(SETTING_NAMES).not.toContain(name);
  });

  it("infra/ sets exactly the settings the app reads in Azure, plus the host's", () => {
    const expected = [
      ...SETTING_NAMES.filter((n) => !(n in LOCAL_ONLY_APP_SETTINGS) && !(n in CONDITIONAL_APP_SETTINGS)),
      ...Object.keys(HOST_SETTINGS),
    ];
    expect(differences(appSettings().keys(), expected)).toEqual({ missing: [], extra: [] });
  });

  it("infra/ sets nothing Flex Consumption rejects and no key-based connection", () => {
    const names = [...appSettings().keys()];
    for (const forbidden of FORBIDDEN_IN_AZURE) expect(names).not.toContain(forbidden);
  });

  it("local.settings.sample.json has exactly the settings the app reads, plus what Core Tools needs", () => {
    const sample = JSON.parse(readFileSync(join(projectRoot, "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    expect(differences(Object.keys(sample.Values), [...SETTING_NAMES, ...Object.keys(LOCAL_HOST_SETTINGS)])).toEqual({
      missing: [],
      extra: [],
    });
  });

  it("the README's configuration table lists exactly the settings the app reads", () => {
    const candidates = [{ path: "README.md", heading: /configuration/i }].filter((c) =>
      existsSync(join(projectRoot, c.path)),
    );
    const tables = candidates
      .map(({ path, heading }) => ({
        path,
        names: firstColumnUnderHeading(readFileSync(join(projectRoot, path), "utf8"), heading),
      }))
      .filter((t): t is { path: string; names: string[] } => t.names !== undefined);
    expect(
      tables.map((t) => t.path),
      "a table under a 'Configuration' heading in README.md",
    ).not.toEqual([]);
    const table = tables[0] as { path: string; names: string[] };
    const documented = table.names.filter((n) => !(n in HOST_SETTINGS));
    expect(differences(documented, SETTING_NAMES), table.path).toEqual({ missing: [], extra: [] });
  });
});

describe("setting values in infra/", () => {
  it("are valid for config.ts and equal to its defaults", () => {
    const env: Record<string, string> = {};
    for (const [name, value] of appSettings()) {
      const resolved = value ?? DEPLOYMENT_TIME_SAMPLES[name];
      expect(resolved, `a sample value for ${name}, computed at deployment`).toBeDefined();
      env[name] = resolved as string;
    }
    const fromInfra = loadConfig(env);
    const required = Object.fromEntries(
      ["MANAGED_SCOPES", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri"].map((n) => [
        n,
        env[n],
      ]),
    );
    const defaults = loadConfig(required);
    const { managedScopes, storage, managedIdentityClientId, applicationInsightsConnectionString, ...tunables } =
      fromInfra;
    const {
      managedScopes: _s,
      storage: _t,
      managedIdentityClientId: _m,
      applicationInsightsConnectionString: _a,
      ...defaultTunables
    } = defaults;
    expect(tunables).toEqual(defaultTunables);
    // Telemetry is on in Azure: the app sends to the Application Insights the host logs to.
    expect(applicationInsightsConnectionString).toBe(env.APPLICATIONINSIGHTS_CONNECTION_STRING);
    expect(managedScopes).toHaveLength(2);
    expect(storage).toMatchObject({ clientId: env.AZURE_CLIENT_ID, connectionString: undefined });
    expect(managedIdentityClientId).toBe(env.AzureWebJobsStorage__clientId);
    expect(env.AzureWebJobsStorage__credential).toBe("managedidentity");
  });

  it("authenticate storage and telemetry with the app identity's client id", () => {
    const config = single(deployed.main, "Microsoft.Web/sites/config").properties ?? {};
    const clientId = `reference('${single(deployed.main, "Microsoft.ManagedIdentity/userAssignedIdentities").id}', '2023-01-31').clientId`;
    for (const name of ["AZURE_CLIENT_ID", "AzureWebJobsStorage__clientId"])
      expect(config[name], name).toBe(`[${clientId}]`);
    expect(config.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(
      `[format('ClientId={0};Authorization=AAD', ${clientId})]`,
    );
  });

  it("let appSettingOverrides change a tunable but not the identity wiring", async () => {
    const overridden = await deploy(server, {
      managedScopes: MANAGED_SCOPES,
      appSettingOverrides: { ACTIVATION_WINDOW: "PT15M", MANAGED_SCOPES: "/subscriptions/x", AZURE_CLIENT_ID: "x" },
    });
    const settings = appSettings(overridden);
    expect(settings.get("ACTIVATION_WINDOW")).toBe("PT15M");
    expect(settings.get("MANAGED_SCOPES")).toBe(appSettings().get("MANAGED_SCOPES"));
    expect(settings.get("AZURE_CLIENT_ID")).toBeUndefined(); // still the identity's, read at deployment
  });

  it("name the queue the deployment creates for the worker", () => {
    const queues = ofType(deployed.main, "Microsoft.Storage/storageAccounts/queueServices/queues").map((q) =>
      q.name.split("/").at(-1),
    );
    expect(queues).toEqual([appSettings().get("RECONCILE_QUEUE_NAME")]);
    expect(queues).toEqual(["reconcile"]);
  });
});
