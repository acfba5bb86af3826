/**
 * Invariants of the Bicep in infra/, read with our own parser (no Bicep CLI
 * here): API versions, keyless storage, the Flex runtime, role ids, the ABAC
 * condition, and the Event Grid filter against what the events code handles.
 */
import { describe, expect, it } from "vitest";
import type { Value } from "./bicep/ast";
import { BicepProject, literal, projectRoot, property, reference, type ResourceInfo, walk } from "./bicep/project";
import { readCondition } from "./condition";
import { ASSIGNABLE_ROLE_IDS, GUID_PATTERN, KNOWN_ROLES } from "./known-roles";

const project = BicepProject.load(projectRoot, "infra");
const resources = project.resources();

/** The API version chosen for each resource type; a new type must be added here on purpose. */
const EXPECTED_API_VERSIONS: Record<string, string> = {
  "Microsoft.Resources/resourceGroups": "2024-03-01",
  "Microsoft.ManagedIdentity/userAssignedIdentities": "2023-01-31",
  "Microsoft.Storage/storageAccounts": "2023-05-01",
  "Microsoft.Storage/storageAccounts/blobServices": "2023-05-01",
  "Microsoft.Storage/storageAccounts/blobServices/containers": "2023-05-01",
  "Microsoft.Storage/storageAccounts/queueServices": "2023-05-01",
  "Microsoft.Storage/storageAccounts/queueServices/queues": "2023-05-01",
  "Microsoft.OperationalInsights/workspaces": "2023-09-01",
  "Microsoft.Insights/components": "2020-02-02",
  "Microsoft.Insights/scheduledQueryRules": "2023-12-01",
  "Microsoft.Insights/actionGroups": "2023-01-01",
  "Microsoft.Web/serverfarms": "2024-04-01",
  "Microsoft.Web/sites": "2024-04-01",
  "Microsoft.Web/sites/config": "2024-04-01",
  "Microsoft.Web/sites/host": "2024-04-01",
  "Microsoft.Web/sites/basicPublishingCredentialsPolicies": "2024-04-01",
  "Microsoft.Authorization/roleAssignments": "2022-04-01",
  "Microsoft.Authorization/roleDefinitions": "2022-04-01",
  "Microsoft.EventGrid/systemTopics": "2025-02-15",
  "Microsoft.EventGrid/systemTopics/eventSubscriptions": "2025-02-15",
};

function ofType(type: string, options: { existing?: boolean } = {}): ResourceInfo[] {
  return resources.filter((r) => r.type === type && (options.existing === undefined || r.existing === options.existing));
}

function single(type: string): ResourceInfo {
  const found = ofType(type, { existing: false });
  expect(found.map((r) => `${r.path}:${r.symbol}`), `exactly one declared ${type}`).toHaveLength(1);
  return found[0] as ResourceInfo;
}

function stringList(path: string, value: Value | undefined): string[] {
  const resolved = project.resolve(path, value);
  if (resolved?.kind !== "array") throw new Error(`${path}: expected an array literal, got ${JSON.stringify(resolved)}`);
  return resolved.items.map((item) => {
    const text = literal(project.resolve(path, item));
    if (text === undefined) throw new Error(`${path}: expected a string literal in the array`);
    return text;
  });
}

function stringAt(r: ResourceInfo, at: string): string | undefined {
  return literal(project.resolve(r.path, property(r.body, at)));
}

describe("Bicep resources", () => {
  it("parses every file and finds the resources of the deployment", () => {
    expect(project.sources.size).toBeGreaterThanOrEqual(10);
    expect(resources.length).toBeGreaterThanOrEqual(20);
  });

  it("declares an API version on every resource, the one chosen for its type", () => {
    for (const r of resources) {
      expect(r.apiVersion, `${r.path}: ${r.symbol} has no API version`).toMatch(/^\d{4}-\d{2}-\d{2}(-preview)?$/);
      expect(EXPECTED_API_VERSIONS[r.type], `${r.path}: ${r.symbol} has unlisted type ${r.type}`).toBeDefined();
      expect(r.apiVersion, `${r.path}: ${r.symbol} (${r.type})`).toBe(EXPECTED_API_VERSIONS[r.type]);
    }
  });

  it("uses only local modules that exist (nothing to restore from a registry)", () => {
    for (const source of project.sources.values()) {
      for (const m of project.statements(source.path, "module")) {
        expect(m.path, `${source.path}: module ${m.symbol}`).not.toMatch(/^(br|ts)[:/]/);
        expect(project.sources.has(project.resolvePath(source.path, m.path)), `${source.path}: ${m.path} exists`).toBe(true);
      }
    }
  });
});

describe("keyless storage and the Flex Consumption app", () => {
  it("disables shared-key and public blob access on every storage account it creates", () => {
    const accounts = ofType("Microsoft.Storage/storageAccounts", { existing: false });
    expect(accounts.length).toBeGreaterThan(0);
    for (const account of accounts) {
      expect(property(account.body, "properties.allowSharedKeyAccess")).toMatchObject({ kind: "expr", text: "false" });
      expect(property(account.body, "properties.allowBlobPublicAccess")).toMatchObject({ kind: "expr", text: "false" });
      expect(stringAt(account, "properties.minimumTlsVersion")).toBe("TLS1_2");
    }
  });

  it("runs Node 22 on an FC1 plan as the user-assigned identity", () => {
    const plan = single("Microsoft.Web/serverfarms");
    expect(stringAt(plan, "sku.name")).toBe("FC1");
    expect(stringAt(plan, "sku.tier")).toBe("FlexConsumption");
    const site = single("Microsoft.Web/sites");
    expect(stringAt(site, "kind")).toBe("functionapp,linux");
    expect(stringAt(site, "identity.type")).toBe("UserAssigned");
    expect(stringAt(site, "properties.functionAppConfig.runtime.name")).toBe("node");
    expect(stringAt(site, "properties.functionAppConfig.runtime.version")).toBe("22");
    expect(stringAt(site, "properties.functionAppConfig.deployment.storage.authentication.type")).toBe("UserAssignedIdentity");
    expect(property(site.body, "properties.httpsOnly")).toMatchObject({ kind: "expr", text: "true" });
  });

  it("turns off FTP and SCM basic-auth publishing credentials", () => {
    const policies = ofType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
    expect(policies.map((p) => literal(property(p.body, "name"))).sort()).toEqual(["ftp", "scm"]);
    for (const p of policies) expect(property(p.body, "properties.allow")).toMatchObject({ kind: "expr", text: "false" });
  });

  it("accepts telemetry only with Entra tokens, which the app identity may send", () => {
    const insights = single("Microsoft.Insights/components");
    expect(property(insights.body, "properties.DisableLocalAuth")).toMatchObject({ kind: "expr", text: "true" });
    const publisher = resources.find(
      (r) => r.type === "Microsoft.Authorization/roleAssignments" && /monitoringMetricsPublisher/.test(JSON.stringify(r.body)),
    );
    expect(publisher, "a Monitoring Metrics Publisher assignment").toBeDefined();
    const scope = property(publisher?.body, "scope");
    const target = resources.find((r) => r.path === publisher?.path && r.symbol === (scope?.kind === "expr" ? scope.text : ""));
    expect(target?.type).toBe("Microsoft.Insights/components");
  });

  it("gives the app identity exactly the blob, queue and table data roles on its storage account", () => {
    const storageRoles = stringList("infra/app/app-access.bicep", reference("storageRoles"));
    expect(storageRoles.map((id) => KNOWN_ROLES[id]).sort()).toEqual([
      "Storage Blob Data Owner",
      "Storage Queue Data Contributor",
      "Storage Table Data Contributor",
    ]);
  });
});

describe("roles", () => {
  it("mentions only role ids the product needs or the deployment documents", () => {
    for (const source of project.sources.values()) {
      for (const guid of source.text.match(GUID_PATTERN) ?? []) {
        expect(KNOWN_ROLES[guid.toLowerCase()], `${source.path}: unknown role id ${guid}`).toBeDefined();
      }
    }
  });

  it("assigns every role to a service principal by a deterministic name", () => {
    const assignments = ofType("Microsoft.Authorization/roleAssignments");
    expect(assignments.length).toBeGreaterThanOrEqual(5);
    for (const a of assignments) {
      expect(stringAt(a, "properties.principalType"), `${a.path}: ${a.symbol}`).toBe("ServicePrincipal");
      expect(property(a.body, "name"), `${a.path}: ${a.symbol}`).toMatchObject({ kind: "expr", text: expect.stringMatching(/^guid\(/) });
    }
  });

  it("constrains the delegation role with an ABAC condition: two roles, service principals, write and delete", () => {
    const conditioned = ofType("Microsoft.Authorization/roleAssignments").filter((a) => property(a.body, "properties.condition"));
    expect(conditioned.map((a) => a.path).sort()).toEqual(["infra/app/scope-access-resource-group.bicep", "infra/app/scope-access-subscription.bicep"]);
    for (const a of conditioned) {
      const conditions = referencedStrings(a.path, property(a.body, "properties.condition"));
      const versions = referencedStrings(a.path, property(a.body, "properties.conditionVersion"));
      expect(versions).toEqual(["2.0"]);
      expect(conditions).toHaveLength(1);
      const facts = readCondition(conditions[0] as string);
      expect(facts.actions.sort()).toEqual(["Microsoft.Authorization/roleAssignments/delete", "Microsoft.Authorization/roleAssignments/write"]);
      const roleChecks = facts.comparisons.filter((c) => c.attribute.endsWith(":RoleDefinitionId]"));
      const principalChecks = facts.comparisons.filter((c) => c.attribute.endsWith(":PrincipalType]"));
      // One check on the request (write) and one on the existing assignment (delete), each.
      expect(roleChecks.map((c) => c.attribute.slice(0, 9)).sort()).toEqual(["@Request[", "@Resource"]);
      expect(principalChecks.map((c) => c.attribute.slice(0, 9)).sort()).toEqual(["@Request[", "@Resource"]);
      for (const c of roleChecks) {
        expect(c.operator).toBe("ForAnyOfAnyValues:GuidEquals");
        expect(c.values.map((v) => v.toLowerCase()).sort()).toEqual([...ASSIGNABLE_ROLE_IDS].sort());
      }
      for (const c of principalChecks) expect(c.values).toEqual(["ServicePrincipal"]);
      // Write and delete are each allowed only when their checks pass.
      expect(conditions[0]).toMatch(/!\(ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/write'\}\)\s*\)\s*OR/);
      expect(conditions[0]).toMatch(/!\(ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/delete'\}\)\s*\)\s*OR/);
    }
  });

  it("attaches the condition to the delegation role whichever option is chosen; every other scope role is custom", () => {
    const main = "infra/main.bicep";
    const delegation = project.findVar(main, "delegationRoleId")?.decl.value;
    expect(delegation).toMatchObject({
      kind: "expr",
      text: expect.stringMatching(/^\w+ \? builtInRoles\.azureFileSyncAdministrator : builtInRoles\.roleBasedAccessControlAdministrator$/),
    });
    // The delegation roles are referenced nowhere else.
    for (const source of project.sources.values()) {
      const uses = source.text.match(/builtInRoles\.(azureFileSyncAdministrator|roleBasedAccessControlAdministrator)/g) ?? [];
      expect(uses.length, source.path).toBe(source.path === main ? 2 : 0);
    }
    const custom = project.findVar(main, "customRoleIds")?.decl.value;
    const customRefs = custom?.kind === "expr" ? custom.text.match(/\b\w+\.outputs\.\w+/g) : [];
    expect(new Set(customRefs)).toEqual(new Set(["customRoles.outputs.scopeReaderRoleId", "customRoles.outputs.storageSyncOperatorRoleId"]));
    // Both scope kinds get the same two inputs from main.bicep.
    for (const symbol of ["subscriptionAccess", "resourceGroupAccess"]) {
      const module = project.statements(main, "module").find((m) => m.symbol === symbol);
      expect(property(module?.body, "params.delegationRoleId")).toMatchObject({ kind: "expr", text: "delegationRoleId" });
      expect(property(module?.body, "params.customRoleIds")).toMatchObject({ kind: "expr", text: "customRoleIds" });
    }
    // In the scope modules, the delegation role always carries the condition and nothing else does.
    for (const path of ["infra/app/scope-access-subscription.bicep", "infra/app/scope-access-resource-group.bicep"]) {
      const assignments = ofType("Microsoft.Authorization/roleAssignments").filter((a) => a.path === path);
      const roleOf = (a: ResourceInfo) => JSON.stringify(property(a.body, "properties.roleDefinitionId"));
      const conditioned = assignments.filter((a) => property(a.body, "properties.condition"));
      expect(conditioned.map(roleOf)).toEqual([expect.stringContaining("delegationRoleId")]);
      expect(assignments.filter((a) => !property(a.body, "properties.condition")).map(roleOf)).toEqual([expect.stringContaining("roleId)")]);
    }
  });

  it("defines custom roles narrower than Reader, assignable only at the managed scopes", () => {
    const definitions = ofType("Microsoft.Authorization/roleDefinitions");
    expect(definitions).toHaveLength(2);
    const reader = stringList("infra/app/roles.bicep", reference("scopeReaderActions"));
    expect(reader.sort()).toEqual([
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.HybridCompute/machines/read",
      "Microsoft.Storage/storageAccounts/read",
    ]);
    const sync = stringList("infra/app/roles.bicep", reference("storageSyncOperatorActions"));
    for (const action of sync) expect(action).toMatch(/^Microsoft\.StorageSync\/(\*\/read|storageSyncServices(\/registeredServers)?\/write)$/);
    for (const d of definitions) {
      expect(stringAt(d, "properties.type")).toBe("CustomRole");
      expect(property(d.body, "properties.assignableScopes")).toMatchObject({ kind: "expr", text: "assignableScopes" });
      const permissions = property(d.body, "properties.permissions");
      const first = permissions?.kind === "array" ? permissions.items[0] : undefined;
      expect(stringList(d.path, property(first, "dataActions"))).toEqual([]);
    }
    const main = project.statements("infra/main.bicep", "module").find((m) => m.symbol === "customRoles");
    expect(property(main?.body, "params.assignableScopes")).toMatchObject({ kind: "expr", text: "scopes" });
  });
});

describe("Event Grid", () => {
  it("uses one Microsoft.Resources.Subscriptions system topic per subscription, with an identity for dead-lettering", () => {
    const topic = single("Microsoft.EventGrid/systemTopics");
    expect(stringAt(topic, "location")).toBe("global");
    expect(stringAt(topic, "properties.topicType")).toBe("Microsoft.Resources.Subscriptions");
    expect(property(topic.body, "properties.source")).toMatchObject({ kind: "expr", text: "subscription().id" });
    expect(stringAt(topic, "identity.type")).toBe("SystemAssigned");
  });

  it("subscribes to ResourceWriteSuccess for the handled operations only, with retries and identity-based dead-lettering", () => {
    const subscription = single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
    const path = subscription.path;
    expect(stringList(path, property(subscription.body, "properties.filter.includedEventTypes"))).toEqual([
      "Microsoft.Resources.ResourceWriteSuccess",
    ]);
    const filters = property(subscription.body, "properties.filter.advancedFilters");
    expect(filters?.kind).toBe("array");
    const items = filters?.kind === "array" ? filters.items : [];
    expect(items).toHaveLength(1);
    expect(literal(property(items[0], "operatorType"))).toBe("StringIn");
    expect(literal(property(items[0], "key"))).toBe("data.operationName");
    // The same list test/infra/event-filter.test.ts checks against the events code.
    expect(property(items[0], "values")).toMatchObject({ kind: "expr", text: "handledOperationNames" });
    expect(project.findVar(path, "handledOperationNames")?.path).toBe("infra/app/event-filter.bicep");

    expect(literal(property(subscription.body, "properties.destination.endpointType"))).toBe("WebHook");
    expect(property(subscription.body, "properties.retryPolicy.maxDeliveryAttempts")).toBeDefined();
    expect(property(subscription.body, "properties.retryPolicy.eventTimeToLiveInMinutes")).toBeDefined();
    expect(property(subscription.body, "properties.deadLetterDestination"), "key-based dead-lettering").toBeUndefined();
    expect(stringAt(subscription, "properties.deadLetterWithResourceIdentity.identity.type")).toBe("SystemAssigned");
    expect(stringAt(subscription, "properties.deadLetterWithResourceIdentity.deadLetterDestination.endpointType")).toBe("StorageBlob");
  });

  it("keeps the webhook key out of logs and points it at the events function's Event Grid endpoint", () => {
    const endpoint = project.statements("infra/app/event-subscription.bicep", "param").find((p) => p.name === "endpointUrl");
    expect(endpoint?.decorators.map((d) => d.name)).toContain("secure");
    const module = project.statements("infra/event-subscriptions.bicep", "module")[0];
    const url = property(module?.body, "params.endpointUrl");
    expect(url?.kind === "string" ? url.value : "").toMatch(
      /^https:\/\/\$\{app\.properties\.defaultHostName\}\/runtime\/webhooks\/eventgrid\?functionName=\$\{eventsFunctionName\}&code=\$\{appHost\.listKeys\(\)\.systemKeys\.eventgrid_extension\}$/,
    );
  });

  it("lets each topic's identity write only into the dead-letter container", () => {
    const writers = ofType("Microsoft.Authorization/roleAssignments").filter((a) => a.path === "infra/app/dead-letter-access.bicep");
    expect(writers).toHaveLength(1);
    const writer = writers[0] as ResourceInfo;
    expect(JSON.stringify(property(writer.body, "properties.roleDefinitionId"))).toContain("builtInRoles.storageBlobDataContributor");
    const scope = property(writer.body, "scope");
    const target = resources.find((r) => r.path === writer.path && r.symbol === (scope?.kind === "expr" ? scope.text : ""));
    expect(target?.type).toBe("Microsoft.Storage/storageAccounts/blobServices/containers");
  });
});

/** String literals a property refers to, e.g. both branches of `c ? delegationCondition : null`. */
function referencedStrings(path: string, value: Value | undefined): string[] {
  const found: string[] = [];
  const direct = literal(project.resolve(path, value));
  if (direct !== undefined) return [direct];
  if (value?.kind !== "expr") return found;
  for (const name of value.text.match(/[A-Za-z_][\w.]*/g) ?? []) {
    const resolved = literal(project.resolve(path, reference(name, value.line)));
    if (resolved !== undefined) found.push(resolved);
  }
  for (const child of walk(value)) if (child !== value && child.kind === "string") found.push(child.value);
  return found;
}
