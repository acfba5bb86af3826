/**
 * The alert rules of infra/app/alerts.bicep against the telemetry the app
 * sends (src/lib/telemetry/events.ts) and the queries the README shows: a
 * renamed event or dimension must break here, not silently in Azure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_NAMES, runEvent, serverEvent } from "../../src/lib/telemetry/events";
import { BicepProject, literal, projectRoot, property, reference } from "./bicep/project";

const project = BicepProject.load(projectRoot, "infra");
const ALERTS = "infra/app/alerts.bicep";
const rules = project.resolve(ALERTS, reference("rules"));
const ruleList = rules?.kind === "array" ? rules.items : [];
const queryOf = (name: string): string => {
  const rule = ruleList.find((r) => literal(property(r, "name")) === name);
  return (literal(property(rule, "query")) ?? "").trim();
};
const normalize = (kql: string) => kql.replace(/\s+/g, " ").trim();

/** Every dimension the app can send with each event the rules read. */
const DIMENSIONS: Record<string, string[]> = {
  [EVENT_NAMES.run]: Object.keys(
    runEvent({ serviceId: "s", runId: "r", status: "failed", trigger: "http", dryRun: false, attempt: 1, durationMs: 1, converged: false, errorCode: "X" }).properties,
  ),
  [EVENT_NAMES.serverOverdue]: Object.keys(
    serverEvent("overdue", { serviceId: "s", serverId: "i", name: "n", resourceId: "r", reason: "x", remedy: "y", errorCode: "e", runId: "r" }).properties,
  ),
};

describe("alert rules", () => {
  it("are the three the README describes, on Application Insights, split by service", () => {
    expect(ruleList.map((r) => literal(property(r, "name")))).toEqual(["server-overdue", "run-failed", "service-not-converged"]);
    const [alertRules] = project.resources().filter((r) => r.type === "Microsoft.Insights/scheduledQueryRules");
    const body = JSON.stringify(alertRules?.body);
    expect(body).toContain("applicationInsights.id");
    expect(body).toContain('"serviceId"');
  });

  it("mail only through an action group created when an address is given", () => {
    const [group] = project.resources().filter((r) => r.type === "Microsoft.Insights/actionGroups");
    expect(group?.path).toBe(ALERTS);
    expect(JSON.stringify(group?.declaration)).toContain('"condition":"sendMail"');
    expect(JSON.stringify(group?.body)).toContain("alertEmailAddress");
    const text = readFileSync(join(projectRoot, ALERTS), "utf8");
    expect(text).toMatch(/var sendMail = !empty\(alertEmailAddress\)/);
    expect(text).toMatch(/actionGroups: sendMail \? \[actionGroup\.id\] : \[\]/);
  });

  it.each(["server-overdue", "run-failed", "service-not-converged"])("%s reads only events and dimensions the app sends", (name) => {
    const query = queryOf(name);
    const events = [...query.matchAll(/name == "(\w+)"/g)].map((m) => m[1] ?? "");
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(Object.values(EVENT_NAMES)).toContain(event);
      for (const [, dimension] of query.matchAll(/customDimensions\.(\w+)/g)) expect(DIMENSIONS[event], `${event}.${dimension}`).toContain(dimension);
    }
    expect(query).toMatch(/\bserviceId\b/);
  });

  it.each(["server-overdue", "run-failed", "service-not-converged"])("%s is shown in the README as deployed", (name) => {
    const readme = normalize(readFileSync(join(projectRoot, "README.md"), "utf8").replace("| where timestamp > ago(1d)\n", ""));
    expect(readme).toContain(normalize(queryOf(name)));
  });
});
