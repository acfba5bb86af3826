/**
 * Runs main.bicep's own expressions (scope parsing, one topic per subscription,
 * reuse of existing topics, resource names) on sample and generated inputs,
 * with the small evaluator in bicep/evaluate.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/lib/config";
import { fileEvaluator, evaluateValue, type BicepData } from "./bicep/evaluate";
import { BicepProject, projectRoot, property } from "./bicep/project";

const project = BicepProject.load(projectRoot, "infra");
const MAIN = "infra/main.bicep";
const DEPLOYMENT_SUBSCRIPTION = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const deploymentFunctions = {
  subscription: () => ({ id: `/subscriptions/${DEPLOYMENT_SUBSCRIPTION}`, subscriptionId: DEPLOYMENT_SUBSCRIPTION }),
};

interface ScopePart {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
}
interface EventTopic {
  subscriptionId: string;
  reuse: boolean;
  resourceGroup: string;
  name: string;
}

function main(params: Record<string, BicepData>) {
  const { lookup } = fileEvaluator(project, MAIN, { environmentName: "prod", location: "westeurope", ...params }, deploymentFunctions);
  return {
    scopes: lookup("scopes") as string[],
    scopeParts: lookup("scopeParts") as unknown as ScopePart[],
    subscriptionScopes: lookup("subscriptionScopes") as unknown as ScopePart[],
    resourceGroupScopes: lookup("resourceGroupScopes") as unknown as ScopePart[],
    managedSubscriptionIds: lookup("managedSubscriptionIds") as string[],
    eventTopics: lookup("eventTopics") as unknown as EventTopic[],
    createdEventResourceGroupIds: lookup("createdEventResourceGroupIds") as string[],
    lookup,
  };
}

const A = "5F8B4A2E-0C1D-4E6F-9A7B-3C2D1E0F9A8B";
const B = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
const TOPIC_B = `/subscriptions/${B}/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/subs-topic`;

describe("main.bicep logic", () => {
  it("splits scopes into subscriptions and resource groups, one topic per subscription, reusing the one named", () => {
    const m = main({
      managedScopes: ` /subscriptions/${A}// , /subscriptions/${B}/resourceGroups/rg-files,/subscriptions/${A.toLowerCase()}/resourceGroups/rg-x,`,
      // Subscription ids match whatever their letter case.
      existingSystemTopicIds: ` ${TOPIC_B.replace(B, B.toUpperCase())} `,
    });
    expect(m.scopes).toEqual([`/subscriptions/${A}`, `/subscriptions/${B}/resourceGroups/rg-files`, `/subscriptions/${A.toLowerCase()}/resourceGroups/rg-x`]);
    expect(m.subscriptionScopes.map((s) => s.id)).toEqual([`/subscriptions/${A}`]);
    expect(m.resourceGroupScopes.map((s) => [s.subscriptionId, s.resourceGroup])).toEqual([
      [B, "rg-files"],
      [A.toLowerCase(), "rg-x"],
    ]);
    expect(m.managedSubscriptionIds).toEqual([A.toLowerCase(), B]);
    expect(m.eventTopics).toEqual([
      { subscriptionId: A.toLowerCase(), reuse: false, resourceGroup: "rg-prod-events", name: expect.stringMatching(/^evgt-afsid-\w{13}$/) },
      { subscriptionId: B, reuse: true, resourceGroup: "rg-shared", name: "subs-topic" },
    ]);
    expect(m.createdEventResourceGroupIds).toEqual([`/subscriptions/${A.toLowerCase()}/resourceGroups/rg-prod-events`]);
  });

  it("normalizes scopes exactly as the app does, so MANAGED_SCOPES in Azure is the list the roles were granted on", () => {
    const guid = fc.uuid().chain((g) => fc.constantFrom(g, g.toUpperCase()));
    const scope = fc.oneof(
      guid.map((g) => `/subscriptions/${g}`),
      fc.tuple(guid, fc.stringMatching(/^[-\w.()]{1,20}$/)).map(([g, rg]) => `/subscriptions/${g}/resourceGroups/${rg}`),
    );
    const list = fc.array(fc.tuple(fc.constantFrom("", " "), scope, fc.constantFrom("", "/", "//", " ")), { minLength: 1, maxLength: 4 });
    const reuse = fc.array(fc.boolean(), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(list, reuse, (parts, reused) => {
        const managedScopes = parts.map(([a, s, b]) => `${a}${s}${b}`).join(",");
        const app = loadConfig({ MANAGED_SCOPES: managedScopes, AzureWebJobsStorage: "UseDevelopmentStorage=true" }).managedScopes;
        const subscriptions = [...new Set(app.map((s) => (s.split("/")[2] as string).toLowerCase()))];
        const existing = subscriptions.filter((_, i) => reused[i]).map((s) => `/subscriptions/${s}/resourceGroups/rg-t/providers/Microsoft.EventGrid/systemTopics/t-${s.slice(0, 4)}`);
        const m = main({ managedScopes, existingSystemTopicIds: existing.join(",") });

        expect(m.scopes).toEqual(app);
        expect(m.subscriptionScopes.length + m.resourceGroupScopes.length).toBe(app.length);
        for (const s of m.resourceGroupScopes) expect(s.id.toLowerCase()).toBe(`/subscriptions/${s.subscriptionId}/resourcegroups/${s.resourceGroup.toLowerCase()}`);
        for (const s of m.subscriptionScopes) expect(s.id.toLowerCase()).toBe(`/subscriptions/${s.subscriptionId}`);
        expect(m.managedSubscriptionIds).toEqual(subscriptions);
        expect(m.eventTopics.map((t) => t.subscriptionId)).toEqual(subscriptions);
        for (const t of m.eventTopics) {
          const named = existing.find((e) => e.includes(t.subscriptionId));
          expect(t.reuse).toBe(named !== undefined);
          if (named) expect([t.resourceGroup, t.name]).toEqual(["rg-t", named.split("/").at(-1)]);
        }
        expect(m.createdEventResourceGroupIds).toHaveLength(m.eventTopics.filter((t) => !t.reuse).length);
      }),
      { numRuns: 150 },
    );
  });

  it("picks the delegation role from the access option", () => {
    const scopes = { managedScopes: `/subscriptions/${B}` };
    expect(main(scopes).lookup("delegationRoleId")).toBe("92b92042-07d9-4307-87f7-36a593fc5850");
    expect(main({ ...scopes, accessOption: "RbacAdministratorWithCondition" }).lookup("delegationRoleId")).toBe("f58310d9-a9f6-439a-9e8d-f62e7b41a168");
  });

  it("makes resource names Azure accepts, for any environment name azd allows", () => {
    const envName = fc.stringMatching(/^[a-zA-Z0-9-]{1,64}$/);
    fc.assert(
      fc.property(envName, (environmentName) => {
        const { lookup } = fileEvaluator(project, MAIN, { environmentName, location: "westeurope", managedScopes: `/subscriptions/${B}` }, deploymentFunctions);
        const moduleParam = (symbol: string, name: string) => {
          const module = project.statements(MAIN, "module").find((m) => m.symbol === symbol);
          const value = property(module?.body, `params.${name}`);
          if (!value) throw new Error(`${symbol}.${name}`);
          return evaluateValue(value, lookup, deploymentFunctions) as string;
        };
        expect(moduleParam("storage", "name")).toMatch(/^[a-z0-9]{3,24}$/);
        for (const container of moduleParam("storage", "containerNames") as unknown as string[]) expect(container).toMatch(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/);
        expect(moduleParam("api", "name")).toMatch(/^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$/);
        expect(moduleParam("identity", "name").length).toBeLessThanOrEqual(128);
        expect((lookup("eventTopics") as unknown as EventTopic[])[0]?.name).toMatch(/^[A-Za-z0-9-]{3,128}$/);

        // event-subscriptions.bicep: event subscription names are at most 64 characters.
        const events = fileEvaluator(project, "infra/event-subscriptions.bicep", { environmentName, d: { scope: `/subscriptions/${B}` } }, deploymentFunctions);
        const module = project.statements("infra/event-subscriptions.bicep", "module")[0];
        const nameValue = property(module?.body, "params.name");
        if (!nameValue) throw new Error("event-subscriptions.bicep: no params.name");
        const subscriptionName = evaluateValue(nameValue, events.lookup, deploymentFunctions) as string;
        expect(subscriptionName).toMatch(/^[A-Za-z0-9-]{3,64}$/);
      }),
      { numRuns: 50 },
    );
  });
});
