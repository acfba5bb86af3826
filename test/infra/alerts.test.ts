/**
 * The alert rules infra/app/alerts.bicep deploys (through main.bicep, as Bicep
 * evaluates the deployment) against the telemetry the app sends
 * (src/lib/telemetry/events.ts) and the queries docs/operations.md shows: a renamed
 * event or dimension must break here, not silently in Azure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_NAMES, roleAssignmentQuotaEvent, runEvent, serverEvent } from "../../src/lib/telemetry/events";
import { BicepServer, DEPLOYMENT, repoRoot, type PredictedResource, type Snapshot } from "./support/bicep-cli";
import { deployMain, ofType, single } from "./support/deployment";

const RULE_NAMES = ["server-overdue", "run-failed", "service-not-converged", "role-assignment-quota"];
const EMAIL = "ops@contoso.example";
const MANAGED_SCOPES = `/subscriptions/${DEPLOYMENT.subscriptionId}`;

let server: BicepServer;
let portalOnly: Snapshot;
let mailed: Snapshot;

beforeAll(async () => {
  server = BicepServer.start();
  portalOnly = await deployMain(server, { managedScopes: MANAGED_SCOPES });
  mailed = await deployMain(server, { managedScopes: MANAGED_SCOPES, alertEmailAddress: EMAIL });
}, 120_000);

afterAll(() => server?.close());

interface Criterion {
  query: string;
  dimensions: { name: string; operator: string; values: string[] }[];
}
const rules = (s: Snapshot) => ofType(s, "Microsoft.Insights/scheduledQueryRules");
const criterion = (rule: PredictedResource | undefined) =>
  ((rule?.properties?.criteria as { allOf: Criterion[] } | undefined)?.allOf ?? [])[0];
const queryOf = (name: string): string =>
  (criterion(rules(portalOnly).find((r) => r.name.endsWith(`-${name}`)))?.query ?? "").trim();
const actionGroupsOf = (rule: PredictedResource) =>
  (rule.properties?.actions as { actionGroups: string[] }).actionGroups;
const normalize = (kql: string) => kql.replace(/\s+/g, " ").trim();

/** Every dimension the app can send with each event the rules read. */
const DIMENSIONS: Record<string, string[]> = {
  [EVENT_NAMES.run]: Object.keys(
    runEvent({
      serviceId: "s",
      runId: "r",
      status: "failed",
      trigger: "http",
      dryRun: false,
      attempt: 1,
      durationMs: 1,
      converged: false,
      errorCode: "X",
    }).properties,
  ),
  [EVENT_NAMES.roleAssignmentQuota]: Object.keys(
    roleAssignmentQuotaEvent({
      serviceId: "s",
      runId: "r",
      subscriptionId: "x",
      count: 1,
      limit: 2,
      orphaned: 0,
      productStale: 0,
    }).properties,
  ),
  [EVENT_NAMES.serverOverdue]: Object.keys(
    serverEvent("overdue", {
      serviceId: "s",
      serverId: "i",
      name: "n",
      resourceId: "r",
      reason: "x",
      remedy: "y",
      errorCode: "e",
      runId: "r",
    }).properties,
  ),
};

describe("alert rules", () => {
  it("are the four docs/operations.md describes, on the deployment's Application Insights, split by service", () => {
    const insights = single(portalOnly, "Microsoft.Insights/components");
    expect(rules(portalOnly)).toHaveLength(RULE_NAMES.length);
    for (const name of RULE_NAMES) {
      const rule = rules(portalOnly).find((r) => r.name.endsWith(`-${name}`));
      expect(rule, name).toBeDefined();
      expect(rule?.kind).toBe("LogAlert");
      expect(rule?.properties?.scopes).toEqual([insights.id]);
      expect(criterion(rule)?.dimensions).toEqual([{ name: "serviceId", operator: "Include", values: ["*"] }]);
    }
  });

  it("mail only through an action group created when an address is given", () => {
    expect(ofType(portalOnly, "Microsoft.Insights/actionGroups")).toEqual([]);
    for (const rule of rules(portalOnly)) expect(actionGroupsOf(rule), rule.name).toEqual([]);
    const group = single(mailed, "Microsoft.Insights/actionGroups");
    expect(group.properties?.emailReceivers).toEqual([expect.objectContaining({ emailAddress: EMAIL })]);
    expect(rules(mailed)).toHaveLength(RULE_NAMES.length);
    for (const rule of rules(mailed)) expect(actionGroupsOf(rule), rule.name).toEqual([group.id]);
  });

  it.each(RULE_NAMES)("%s reads only events and dimensions the app sends", (name) => {
    const query = queryOf(name);
    const events = [...query.matchAll(/name == "(\w+)"/g)].map((m) => m[1] ?? "");
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(Object.values(EVENT_NAMES)).toContain(event);
      for (const [, dimension] of query.matchAll(/customDimensions\.(\w+)/g))
        expect(DIMENSIONS[event], `${event}.${dimension}`).toContain(dimension);
    }
    expect(query).toMatch(/\bserviceId\b/);
  });

  it.each(RULE_NAMES)("%s is shown in docs/operations.md as deployed", (name) => {
    const doc = normalize(
      readFileSync(join(repoRoot, "docs/operations.md"), "utf8").replace("| where timestamp > ago(1d)\n", ""),
    );
    // A boolean, so a failure names the rule instead of printing the whole page.
    expect(
      doc.includes(normalize(queryOf(name))),
      `docs/operations.md shows the ${name} query as deployed: ${normalize(queryOf(name))}`,
    ).toBe(true);
  });
});
