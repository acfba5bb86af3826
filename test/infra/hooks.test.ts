/**
 * The azd hooks run against a stand-in for the Azure CLI that records every
 * call: what they deploy, delete and refuse. Each scenario runs the POSIX hook
 * under sh and its PowerShell twin under pwsh, which must make the same `az`
 * calls and say the same things. The stand-in is the external `az` program,
 * not our code.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/lib/config";
import { repoRoot, toolPath } from "./support/bicep-cli";

const SUB_A = "5f8b4a2e-0c1d-4e6f-9a7b-3c2d1e0f9a8b";
const SUB_B = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
const TOPIC_A = `/subscriptions/${SUB_A}/resourceGroups/rg-prod-events/providers/Microsoft.EventGrid/systemTopics/evgt-afsid-abc`;
const TOPIC_B = `/subscriptions/${SUB_B}/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/subs-topic`;
const DELIVERIES = [
  { scope: `/subscriptions/${SUB_A}`, topicId: TOPIC_A },
  { scope: `/subscriptions/${SUB_B}/resourceGroups/rg-files`, topicId: TOPIC_B },
];
const KEY = "s3cr3t-eventgrid-key";

// Answers like the Azure CLI for the calls the hooks make; logs each call on one line, arguments split by \x1f.
const FAKE_AZ = `#!/bin/sh
{ printf '%s\\037' "$@"; printf '\\n'; } >> "$STUB_DIR/calls.log"
case "$1 $2" in
  "account show") [ -n "\${STUB_LOGGED_OUT:-}" ] && exit 1; exit 0 ;;
  "functionapp keys")
    n=$(cat "$STUB_DIR/polls" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$STUB_DIR/polls"
    if [ -n "\${STUB_KEY_AFTER:-}" ] && [ "$n" -ge "$STUB_KEY_AFTER" ]; then echo "$STUB_KEY"; fi
    exit 0 ;;
  "deployment sub")
    while [ $# -gt 0 ]; do
      if [ "$1" = "--parameters" ]; then cp "\${2#@}" "$STUB_DIR/parameters.json"; fi
      shift
    done
    exit 0 ;;
  "eventgrid system-topic")
    case "$*" in *" list "*) printf '%s\\n' "\${STUB_EVENT_SUBSCRIPTIONS:-}" | tr ',' '\\n' ;; esac
    exit 0 ;;
esac
exit 0
`;

const SEPARATOR = String.fromCharCode(0x1f);
type Kind = "sh" | "ps1";

/** pwsh keeps caches under HOME; one for the file keeps its start-up short. */
const pwshHome = mkdtempSync(join(tmpdir(), "afsid-pwsh-home-"));
afterAll(() => rmSync(pwshHome, { recursive: true, force: true }));

interface HookRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Arguments of each `az` call; the temporary parameters file is named `@<file>`. */
  calls: string[][];
  /** The parameters file handed to `az deployment sub create`, parsed. */
  parameters: unknown;
}

async function runHook(kind: Kind, hook: string, env: Record<string, string>): Promise<HookRun> {
  const dir = mkdtempSync(join(tmpdir(), "afsid-hooks-"));
  try {
    for (const [name, body] of [
      ["az", FAKE_AZ],
      ["curl", "#!/bin/sh\nexit 0\n"],
    ] as const) {
      writeFileSync(join(dir, name), body);
      chmodSync(join(dir, name), 0o755);
    }
    const script = join(repoRoot, "infra/hooks", `${hook}.${kind}`);
    const [command, args] =
      kind === "sh"
        ? ["sh", [script]]
        : [toolPath("pwsh"), ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", script]];
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        command,
        args,
        {
          env: {
            PATH: `${dir}:${process.env.PATH ?? ""}`,
            STUB_DIR: dir,
            STUB_KEY: KEY,
            HOME: kind === "sh" ? dir : pwshHome,
            POWERSHELL_TELEMETRY_OPTOUT: "1",
            POWERSHELL_UPDATECHECK: "Off",
            ...env,
          },
          encoding: "utf8",
          timeout: 120_000,
        },
        (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
      );
    });
    const log = existsSync(join(dir, "calls.log")) ? readFileSync(join(dir, "calls.log"), "utf8") : "";
    const calls = log
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) =>
        l
          .split(SEPARATOR)
          .slice(0, -1)
          .map((a, i, all) => (all[i - 1] === "--parameters" ? "@<file>" : a)),
      );
    const parametersFile = join(dir, "parameters.json");
    const parameters: unknown = existsSync(parametersFile)
      ? JSON.parse(readFileSync(parametersFile, "utf8").replace(/^\uFEFF/, ""))
      : undefined;
    return { ...result, calls, parameters };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the sh hook and its pwsh twin on the same inputs; they must agree. Returns the sh run for further checks. */
async function runBoth(hook: string, env: Record<string, string>): Promise<HookRun> {
  const [sh, ps1] = await Promise.all([runHook("sh", hook, env), runHook("ps1", hook, env)]);
  expect(ps1.calls, `${hook}.ps1 makes the az calls ${hook}.sh makes`).toEqual(sh.calls);
  expect(ps1.status, `${hook}.ps1 exit code: ${ps1.stderr}`).toBe(sh.status);
  expect(ps1.stderr.trim(), `${hook}.ps1 stderr`).toBe(sh.stderr.trim());
  expect(ps1.parameters, `${hook}.ps1 deployment parameters`).toEqual(sh.parameters);
  return sh;
}

const deployEnv = {
  AZURE_ENV_NAME: "prod",
  AZURE_LOCATION: "westeurope",
  AZURE_SUBSCRIPTION_ID: SUB_A,
  AZURE_RESOURCE_GROUP: "rg-prod",
  AZURE_FUNCTION_APP_NAME: "func-afsid-abc",
  // The PowerShell hook wakes the app with Invoke-WebRequest (sh uses the curl stand-in): a closed local port answers
  // at once.
  AZURE_FUNCTION_APP_HOSTNAME: "127.0.0.1:9",
  AZURE_STORAGE_ACCOUNT_ID: `/subscriptions/${SUB_A}/resourceGroups/rg-prod/providers/Microsoft.Storage/storageAccounts/stabc`,
  AZURE_DEAD_LETTER_CONTAINER: "eventgrid-deadletter",
  AZURE_EVENT_GRID_DELIVERIES: JSON.stringify(DELIVERIES),
  POSTDEPLOY_POLL_SECONDS: "0",
};

describe("postdeploy.sh and postdeploy.ps1", () => {
  it("wait for the Event Grid key, then deploy event-subscriptions.bicep with the provisioned values", async () => {
    const run = await runBoth("postdeploy", { ...deployEnv, STUB_KEY_AFTER: "3" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => c[0] === "functionapp")).toHaveLength(3);
    expect(run.calls).toContainEqual(["account", "set", "--subscription", SUB_A]);
    const deployment = run.calls.find((c) => c[0] === "deployment");
    expect(deployment?.slice(0, 3)).toEqual(["deployment", "sub", "create"]);
    expect(deployment?.[deployment.indexOf("--name") + 1]).toBe("afsid-events-prod");
    expect(deployment?.[deployment.indexOf("--location") + 1]).toBe("westeurope");
    expect(deployment?.[deployment.indexOf("--template-file") + 1]).toMatch(
      /infra\/hooks\/\.\.\/event-subscriptions\.bicep$/,
    );

    const parameters = run.parameters as { parameters: Record<string, { value: unknown }> };
    expect(Object.fromEntries(Object.entries(parameters.parameters).map(([k, v]) => [k, v.value]))).toEqual({
      environmentName: "prod",
      functionAppResourceGroup: "rg-prod",
      functionAppName: "func-afsid-abc",
      eventsFunctionName: "armEvents",
      deliveries: DELIVERIES,
      deadLetterStorageAccountId: deployEnv.AZURE_STORAGE_ACCOUNT_ID,
      deadLetterContainerName: "eventgrid-deadletter",
    });
    // The key only proves the webhook exists; it never reaches the deployment's inputs or the output.
    expect(JSON.stringify(run.calls) + run.stdout + JSON.stringify(run.parameters)).not.toContain(KEY);
  });

  it("name a missing azd value and deploy nothing", async () => {
    const { AZURE_EVENT_GRID_DELIVERIES: _omitted, ...env } = deployEnv;
    const run = await runBoth("postdeploy", { ...env, STUB_KEY_AFTER: "1" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("AZURE_EVENT_GRID_DELIVERIES is not set");
    expect(run.calls).toEqual([]);
  });

  it("ask for az login when the Azure CLI is signed out", async () => {
    const run = await runBoth("postdeploy", { ...deployEnv, STUB_LOGGED_OUT: "1" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("az login");
    expect(run.calls.map((c) => c.slice(0, 2).join(" "))).toEqual(["account show"]);
  });

  it("give up with a clear message when the key never appears", async () => {
    const run = await runBoth("postdeploy", deployEnv);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no eventgrid_extension key after 30 tries");
    expect(run.calls.filter((c) => c[0] === "functionapp")).toHaveLength(30);
    expect(run.calls.some((c) => c[0] === "deployment")).toBe(false);
  });
});

describe("predown.sh and predown.ps1", () => {
  const downEnv = {
    AZURE_ENV_NAME: "prod",
    AZURE_FUNCTION_APP_IDENTITY_PRINCIPAL_ID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    AZURE_MANAGED_SCOPES: DELIVERIES.map((d) => d.scope).join(","),
    AZURE_EVENT_GRID_DELIVERIES: JSON.stringify(DELIVERIES),
    AZURE_EVENT_GRID_CREATED_RESOURCE_GROUPS: `/subscriptions/${SUB_A}/resourceGroups/rg-prod-events`,
    AZURE_CUSTOM_ROLE_IDS: "11111111-2222-4333-8444-555555555555",
    AZURE_CUSTOM_ROLE_SUBSCRIPTION_ID: SUB_A,
  };

  it("remove what lives outside the resource group: assignments, our event subscriptions, topic groups, custom roles", async () => {
    const run = await runBoth("predown", { ...downEnv, STUB_EVENT_SUBSCRIPTIONS: "afsid-prod-x1,afsid-prod-x2" });
    expect(run.status).toBe(0);
    const summary = run.calls.map((c) => c.filter((a) => !a.startsWith("--only")).join(" "));
    for (const d of DELIVERIES) {
      expect(summary).toContain(
        `role assignment delete --assignee ${downEnv.AZURE_FUNCTION_APP_IDENTITY_PRINCIPAL_ID} --scope ${d.scope}`,
      );
    }
    expect(summary).toContain(
      `eventgrid system-topic event-subscription list --subscription ${SUB_B} -g rg-shared --system-topic-name subs-topic --query [?starts_with(name, 'afsid-prod-')].name -o tsv`,
    );
    expect(summary).toContain(
      `eventgrid system-topic event-subscription delete --subscription ${SUB_B} -g rg-shared --system-topic-name subs-topic -n afsid-prod-x2 --yes`,
    );
    expect(summary.filter((s) => s.includes("event-subscription delete"))).toHaveLength(4); // two per topic
    expect(summary).toContain(`group delete --subscription ${SUB_A} -n rg-prod-events --yes`);
    expect(summary).toContain(
      `role definition delete --name ${downEnv.AZURE_CUSTOM_ROLE_IDS} --scope /subscriptions/${SUB_A}`,
    );
    // Assignments go before the roles they use.
    const firstRoleDelete = summary.findIndex((s) => s.startsWith("role definition delete"));
    const lastAssignmentDelete = summary.map((s) => s.startsWith("role assignment delete")).lastIndexOf(true);
    expect(lastAssignmentDelete).toBeLessThan(firstRoleDelete);
  });

  it("refuse to run signed out", async () => {
    const run = await runBoth("predown", { ...downEnv, STUB_LOGGED_OUT: "1" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("az login");
  });
});

describe("preprovision.sh and preprovision.ps1", () => {
  const guid = fc.uuid();
  const piece = fc.oneof(
    guid.map((g) => `/subscriptions/${g}`),
    fc.tuple(guid, fc.stringMatching(/^[-\w.()]{1,90}$/)).map(([g, rg]) => `/subscriptions/${g}/resourceGroups/${rg}`),
    guid.map((g) => `/subscriptions/${g.toUpperCase()}/`),
    fc.string({ unit: fc.constantFrom("/", "a", "F", "0", "-", " ", "s", "(", "*", "\t"), maxLength: 40 }),
    fc.constantFrom(
      "/subscriptions/",
      "/subscriptions/x/resourceGroups/rg",
      "subscriptions/5f8b4a2e-0c1d-4e6f-9a7b-3c2d1e0f9a8b",
    ),
  );
  const scopes = fc
    .array(fc.tuple(fc.constantFrom("", " ", "  "), piece, fc.constantFrom("", " ", "/")), { maxLength: 3 })
    .map((parts) => parts.map(([before, p, after]) => `${before}${p}${after}`).join(","));

  function appAccepts(value: string): boolean {
    try {
      loadConfig({ MANAGED_SCOPES: value, AzureWebJobsStorage: "UseDevelopmentStorage=true" });
      return true;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return false;
    }
  }

  it("preprovision.sh accepts what loadConfig accepts as MANAGED_SCOPES, and nothing else", async () => {
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(scopes, async (value) => {
        const valid = appAccepts(value);
        seen[valid ? "valid" : "invalid"]++;
        const run = await runHook("sh", "preprovision", { MANAGED_SCOPES: value });
        expect(run.status, `${JSON.stringify(value)}: ${run.stderr}`).toBe(valid ? 0 : 1);
      }),
      { numRuns: 60 },
    );
    // Both outcomes were exercised.
    expect(seen.valid).toBeGreaterThan(5);
    expect(seen.invalid).toBeGreaterThan(5);
  });

  it("preprovision.ps1 decides and reports as preprovision.sh does", async () => {
    // Fewer runs: pwsh takes about a second to start.
    await fc.assert(
      fc.asyncProperty(scopes, async (value) => {
        const run = await runBoth("preprovision", { MANAGED_SCOPES: value });
        expect(run.status, JSON.stringify(value)).toBe(appAccepts(value) ? 0 : 1);
      }),
      { numRuns: 8, endOnFailure: true },
    );
  }, 300_000);

  it("name each bad topic id, a second topic in one subscription, and an unknown access option", async () => {
    const good = `/subscriptions/${SUB_B}/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/subs-topic`;
    const run = await runBoth("preprovision", {
      MANAGED_SCOPES: `/subscriptions/${SUB_A}`,
      EXISTING_SYSTEM_TOPIC_IDS: `${good}, ${good.replace("subs-topic", "other")},/subscriptions/${SUB_A}/topics/x`,
      AFS_ACCESS_OPTION: "Owner",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`two topics in subscription ${SUB_B}`);
    expect(run.stderr).toContain(`entry '/subscriptions/${SUB_A}/topics/x' must be a system topic id`);
    expect(run.stderr).toContain(
      "AFS_ACCESS_OPTION must be FileSyncAdministrator or RbacAdministratorWithCondition, not 'Owner'",
    );
    expect(
      (await runBoth("preprovision", { MANAGED_SCOPES: `/subscriptions/${SUB_A}`, EXISTING_SYSTEM_TOPIC_IDS: good }))
        .status,
    ).toBe(0);
  });

  it("ask for MANAGED_SCOPES when it is missing", async () => {
    const run = await runBoth("preprovision", {});
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("MANAGED_SCOPES is required: azd env set MANAGED_SCOPES");
  });
});
