/**
 * What `azd up` deploys, as Bicep itself evaluates main.bicep and
 * event-subscriptions.bicep for sample and generated inputs (`bicep snapshot`
 * through the CLI's JSON-RPC server): scopes parsed exactly as the app parses
 * MANAGED_SCOPES, one system topic per subscription, reused topics, names
 * within Azure's limits, keyless storage, and least privilege.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/lib/config";
import { BicepServer, isDeploymentTimeValue, repoRoot, type Snapshot } from "./support/bicep-cli";
import { readCondition } from "./support/condition";
import {
  deploy,
  deployMain,
  ofType,
  ROLE_ASSIGNMENT,
  ROLE_DEFINITION,
  roleOf,
  scopeOf,
  single,
  type Deployment,
  type MainInputs,
} from "./support/deployment";
import { ASSIGNABLE_ROLE_IDS, DEPLOYMENT_ROLES, APP_ROLES, GUID_PATTERN, KNOWN_ROLES } from "./support/known-roles";

const A = "5F8B4A2E-0C1D-4E6F-9A7B-3C2D1E0F9A8B";
const B = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
const TOPIC_B = `/subscriptions/${B}/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/subs-topic`;
const FILE_SYNC_ADMINISTRATOR = "92b92042-07d9-4307-87f7-36a593fc5850";
const RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

let server: BicepServer;
/** Scopes of both kinds in two subscriptions, one of them reusing a topic, under each access option. */
let sample: Deployment;
let rbac: Deployment;
const SAMPLE: MainInputs = {
  managedScopes: ` /subscriptions/${A}// , /subscriptions/${B}/resourceGroups/rg-files,/subscriptions/${A.toLowerCase()}/resourceGroups/rg-x,`,
  // Subscription ids match whatever their letter case.
  existingSystemTopicIds: ` ${TOPIC_B.replace(B, B.toUpperCase())} `,
};
const SAMPLE_SCOPES = [
  `/subscriptions/${A}`,
  `/subscriptions/${B}/resourceGroups/rg-files`,
  `/subscriptions/${A.toLowerCase()}/resourceGroups/rg-x`,
];

beforeAll(async () => {
  server = BicepServer.start();
  sample = await deploy(server, SAMPLE);
  rbac = await deploy(server, { ...SAMPLE, accessOption: "RbacAdministratorWithCondition" });
}, 120_000);

afterAll(() => server?.close());

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const assignments = (s: Snapshot) => ofType(s, ROLE_ASSIGNMENT);
/** The ids of the custom roles the deployment defines. */
const customRoles = (s: Snapshot) => ofType(s, ROLE_DEFINITION).map((r) => r.name.toLowerCase());
/** Role assignments at the managed scopes (not on the app's own resources). */
const scopeAssignments = (s: Snapshot, scopes: string[]) =>
  assignments(s).filter((a) => scopes.some((scope) => same(scopeOf(a), scope)));

describe("scopes and Event Grid topics, as Bicep evaluates them", () => {
  it("splits scopes into subscriptions and resource groups, one topic per subscription, reusing the one named", () => {
    const { main, events } = sample;
    expect(String(main.outputs.AZURE_MANAGED_SCOPES).split(",")).toEqual(SAMPLE_SCOPES);
    const created = `/subscriptions/${A.toLowerCase()}/resourceGroups/rg-prod-events/providers/Microsoft.EventGrid/systemTopics/evgt-afsid-`;
    expect(main.outputs.AZURE_EVENT_GRID_DELIVERIES).toEqual([
      { scope: SAMPLE_SCOPES[0], topicId: expect.stringMatching(new RegExp(`^${created}\\w{13}$`)) },
      {
        scope: SAMPLE_SCOPES[1],
        topicId: `/subscriptions/${B}/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/subs-topic`,
      },
      { scope: SAMPLE_SCOPES[2], topicId: expect.stringMatching(new RegExp(`^${created}\\w{13}$`)) },
    ]);
    expect(main.outputs.AZURE_EVENT_GRID_CREATED_RESOURCE_GROUPS).toBe(
      `/subscriptions/${A.toLowerCase()}/resourceGroups/rg-prod-events`,
    );
    expect(ofType(main, "Microsoft.EventGrid/systemTopics").map((t) => t.id)).toEqual([
      expect.stringMatching(new RegExp(`^${created}`)),
    ]);
    // Delegation + custom reader role at each scope, at that scope's own level.
    for (const scope of SAMPLE_SCOPES) expect(scopeAssignments(sample.main, [scope]), scope).toHaveLength(2);
    // The postdeploy deployment: one event subscription per scope, on that scope's topic.
    const subscriptions = ofType(events, "Microsoft.EventGrid/systemTopics/eventSubscriptions");
    expect(subscriptions.map((s) => s.properties?.filter)).toEqual(
      SAMPLE_SCOPES.map((s) => expect.objectContaining({ subjectBeginsWith: `${s}/` })),
    );
  });

  it("parses MANAGED_SCOPES exactly as the app does, so the app manages the scopes it was granted", async () => {
    const guid = fc.uuid().chain((g) => fc.constantFrom(g, g.toUpperCase()));
    const scope = fc.oneof(
      guid.map((g) => `/subscriptions/${g}`),
      // Names ARM allows (no trailing period): the preprovision hook refuses others before Bicep sees them.
      fc
        .tuple(guid, fc.stringMatching(/^[-\w.()]{0,19}[-\w()]$/))
        .map(([g, rg]) => `/subscriptions/${g}/resourceGroups/${rg}`),
    );
    const list = fc.array(fc.tuple(fc.constantFrom("", " "), scope, fc.constantFrom("", "/", "//", " ")), {
      minLength: 1,
      maxLength: 4,
    });
    const reuse = fc.array(fc.boolean(), { minLength: 4, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(list, reuse, async (parts, reused) => {
        const managedScopes = parts.map(([a, s, b]) => `${a}${s}${b}`).join(",");
        const app = loadConfig({
          MANAGED_SCOPES: managedScopes,
          AzureWebJobsStorage: "UseDevelopmentStorage=true",
        }).managedScopes;
        const subscriptions = [...new Set(app.map((s) => (s.split("/")[2] as string).toLowerCase()))];
        const existing = subscriptions
          .filter((_, i) => reused[i])
          .map(
            (s) =>
              `/subscriptions/${s}/resourceGroups/rg-t/providers/Microsoft.EventGrid/systemTopics/t-${s.slice(0, 4)}`,
          );
        const main = await deployMain(server, { managedScopes, existingSystemTopicIds: existing.join(",") });

        expect(String(main.outputs.AZURE_MANAGED_SCOPES).split(",")).toEqual(app);
        expect(single(main, "Microsoft.Web/sites/config").properties?.MANAGED_SCOPES).toBe(app.join(","));
        for (const s of app)
          expect(
            scopeAssignments(main, [s]).filter((a) => a.properties?.condition),
            s,
          ).toHaveLength(1);
        // One topic per subscription: created unless one was named, in the subscription's own topic group.
        const topics = ofType(main, "Microsoft.EventGrid/systemTopics");
        expect(topics.map((t) => t.properties?.source).sort()).toEqual(
          subscriptions
            .filter((s) => !existing.some((e) => e.includes(s)))
            .map((s) => `/subscriptions/${s}`)
            .sort(),
        );
        const created = String(main.outputs.AZURE_EVENT_GRID_CREATED_RESOURCE_GROUPS);
        expect(created === "" ? [] : created.split(",")).toHaveLength(topics.length);
        const deliveries = main.outputs.AZURE_EVENT_GRID_DELIVERIES as { scope: string; topicId: string }[];
        expect(deliveries.map((x) => x.scope)).toEqual(app);
        for (const { scope: s, topicId } of deliveries) {
          const sub = (s.split("/")[2] as string).toLowerCase();
          const named = existing.find((e) => e.includes(sub));
          expect(topicId.toLowerCase()).toBe(
            named?.toLowerCase() ??
              topics.find((t) => t.properties?.source === `/subscriptions/${sub}`)?.id.toLowerCase(),
          );
        }
      }),
      { numRuns: 25, endOnFailure: true }, // each run costs a Bicep evaluation: report the first failing input without shrinking
    );
  }, 180_000);

  it("makes resource names Azure accepts, for any environment name azd allows", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-zA-Z0-9-]{1,64}$/), async (environmentName) => {
        const { main, events } = await deploy(server, { environmentName, managedScopes: `/subscriptions/${B}` });
        const names = (type: string) => ofType(main, type).map((r) => r.name.split("/").at(-1) as string);
        expect(names("Microsoft.Storage/storageAccounts")).toEqual([expect.stringMatching(/^[a-z0-9]{3,24}$/)]);
        for (const container of names("Microsoft.Storage/storageAccounts/blobServices/containers"))
          expect(container).toMatch(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/);
        expect(names("Microsoft.Web/sites")).toEqual([expect.stringMatching(/^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$/)]);
        for (const name of names("Microsoft.ManagedIdentity/userAssignedIdentities"))
          expect(name.length).toBeLessThanOrEqual(128);
        for (const name of names("Microsoft.Resources/resourceGroups")) expect(name).toMatch(/^[-\w.()]{1,89}[-\w()]$/);
        expect(names("Microsoft.EventGrid/systemTopics")).toEqual([expect.stringMatching(/^[A-Za-z0-9-]{3,128}$/)]);
        const subscriptionNames = ofType(events, "Microsoft.EventGrid/systemTopics/eventSubscriptions").map(
          (r) => r.name.split("/").at(-1) as string,
        );
        expect(subscriptionNames).toEqual([expect.stringMatching(/^[A-Za-z0-9-]{3,64}$/)]);
        // predown deletes event subscriptions by this prefix.
        expect(subscriptionNames[0]?.startsWith(`${`afsid-${environmentName}`.slice(0, 44)}-`)).toBe(true);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  }, 180_000);
});

describe("keyless storage and the Flex Consumption app", () => {
  it("disables shared-key and public blob access on the storage account", () => {
    expect(single(sample.main, "Microsoft.Storage/storageAccounts").properties).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      minimumTlsVersion: "TLS1_2",
    });
  });

  it("runs Node 22 on an FC1 plan as the user-assigned identity, HTTPS only, without basic-auth publishing", () => {
    expect(single(sample.main, "Microsoft.Web/serverfarms").sku).toEqual({ name: "FC1", tier: "FlexConsumption" });
    const site = single(sample.main, "Microsoft.Web/sites");
    const identity = single(sample.main, "Microsoft.ManagedIdentity/userAssignedIdentities").id;
    expect(site).toMatchObject({
      kind: "functionapp,linux",
      identity: { type: "UserAssigned", userAssignedIdentities: { [identity]: {} } },
    });
    expect(site.properties).toMatchObject({
      httpsOnly: true,
      functionAppConfig: {
        runtime: { name: "node", version: "22" },
        deployment: {
          storage: { authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: identity } },
        },
      },
    });
    const policies = ofType(sample.main, "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
    expect(policies.map((p) => [p.name.split("/").at(-1), p.properties?.allow]).sort()).toEqual([
      ["ftp", false],
      ["scm", false],
    ]);
  });

  it("accepts telemetry only with Entra tokens, which the app identity may send", () => {
    const insights = single(sample.main, "Microsoft.Insights/components");
    expect(insights.properties?.DisableLocalAuth).toBe(true);
    expect(
      assignments(sample.main)
        .filter((a) => scopeOf(a) === insights.id)
        .map(roleOf),
    ).toEqual(["3913510d-42f4-4e42-8a64-420c390055eb"]);
  });

  it("gives the app identity exactly the blob, queue and table data roles on its storage account", () => {
    const account = single(sample.main, "Microsoft.Storage/storageAccounts").id;
    const roles = assignments(sample.main)
      .filter((a) => scopeOf(a) === account)
      .map((a) => KNOWN_ROLES[roleOf(a)]);
    expect(roles.sort()).toEqual([
      "Storage Blob Data Owner",
      "Storage Queue Data Contributor",
      "Storage Table Data Contributor",
    ]);
  });
});

describe("roles", () => {
  it("mentions only the role ids the app needs or the deployment documents", () => {
    const files = (dir: string): string[] =>
      readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".bicep") ? [join(dir, e.name)] : [],
      );
    for (const file of files("infra")) {
      for (const guid of readFileSync(join(repoRoot, file), "utf8").match(GUID_PATTERN) ?? [])
        expect(KNOWN_ROLES[guid.toLowerCase()], `${file}: ${guid}`).toBeDefined();
    }
    const builtIn = [sample.main, rbac.main].flatMap((m) =>
      assignments(m)
        .map(roleOf)
        .filter((r) => !customRoles(m).includes(r)),
    );
    expect(new Set(builtIn)).toEqual(
      new Set([...Object.keys(DEPLOYMENT_ROLES), FILE_SYNC_ADMINISTRATOR, RBAC_ADMINISTRATOR]),
    );
    expect(Object.keys(APP_ROLES)).toEqual(
      expect.arrayContaining([FILE_SYNC_ADMINISTRATOR, RBAC_ADMINISTRATOR, ...ASSIGNABLE_ROLE_IDS]),
    );
  });

  it("assigns every role to a service principal, under a name derived from scope, principal and role", () => {
    for (const a of [sample.main, rbac.main].flatMap(assignments)) {
      expect(a.properties?.principalType, a.id).toBe("ServicePrincipal");
      expect(a.name, a.id).toMatch(/^\[guid\(/);
    }
  });

  it.each([
    ["FileSyncAdministrator", FILE_SYNC_ADMINISTRATOR],
    ["RbacAdministratorWithCondition", RBAC_ADMINISTRATOR],
  ])(
    "with %s, constrains the delegation role at every scope by the ABAC condition: two roles, service principals, write and delete",
    (option, delegation) => {
      const d = option === "FileSyncAdministrator" ? sample : rbac;
      const atScopes = scopeAssignments(d.main, SAMPLE_SCOPES);
      const conditioned = atScopes.filter((a) => a.properties?.condition !== undefined);
      expect(conditioned.map(roleOf)).toEqual(SAMPLE_SCOPES.map(() => delegation));
      expect(assignments(d.main).filter((a) => a.properties?.condition !== undefined)).toHaveLength(
        SAMPLE_SCOPES.length,
      );
      // Every other role at the scopes is one of our custom roles.
      for (const a of atScopes.filter((x) => x.properties?.condition === undefined))
        expect(customRoles(d.main)).toContain(roleOf(a));
      for (const a of conditioned) {
        expect(a.properties?.conditionVersion).toBe("2.0");
        const condition = String(a.properties?.condition);
        const facts = readCondition(condition);
        expect(facts.actions.sort()).toEqual([
          "Microsoft.Authorization/roleAssignments/delete",
          "Microsoft.Authorization/roleAssignments/write",
        ]);
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
        expect(condition).toMatch(/!\(ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/write'\}\)\s*\)\s*OR/);
        expect(condition).toMatch(
          /!\(ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/delete'\}\)\s*\)\s*OR/,
        );
      }
    },
  );

  it("defines custom roles narrower than Reader, assignable only at the managed scopes, the Storage Sync one only with the RBAC option", () => {
    expect(ofType(sample.main, ROLE_DEFINITION)).toHaveLength(1);
    const definitions = ofType(rbac.main, ROLE_DEFINITION);
    expect(definitions).toHaveLength(2);
    for (const d of definitions) {
      expect(d.properties).toMatchObject({ type: "CustomRole", assignableScopes: SAMPLE_SCOPES });
      expect(d.properties?.permissions).toEqual([
        { actions: expect.any(Array), notActions: [], dataActions: [], notDataActions: [] },
      ]);
    }
    const actions = definitions.map((d) => (d.properties?.permissions as { actions: string[] }[])[0]?.actions ?? []);
    expect(actions.find((a) => a.includes("Microsoft.Compute/virtualMachines/read"))?.sort()).toEqual([
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.HybridCompute/machines/read",
      "Microsoft.Storage/storageAccounts/read",
    ]);
    const sync = actions.find((a) => a.some((x) => x.startsWith("Microsoft.StorageSync/"))) ?? [];
    expect(sync.length).toBeGreaterThan(0);
    for (const action of sync)
      expect(action).toMatch(/^Microsoft\.StorageSync\/(\*\/read|storageSyncServices(\/registeredServers)?\/write)$/);
    // With the RBAC option both custom roles are assigned at each scope, next to the delegation role.
    for (const scope of SAMPLE_SCOPES) expect(scopeAssignments(rbac.main, [scope]), scope).toHaveLength(3);
  });
});

describe("Event Grid", () => {
  it("creates a Microsoft.Resources.Subscriptions system topic in the subscription, with an identity for dead-lettering", () => {
    const topic = single(sample.main, "Microsoft.EventGrid/systemTopics");
    expect(topic).toMatchObject({
      location: "global",
      identity: { type: "SystemAssigned" },
      properties: { topicType: "Microsoft.Resources.Subscriptions", source: `/subscriptions/${A.toLowerCase()}` },
    });
    expect(topic.id.startsWith(`/subscriptions/${A.toLowerCase()}/`)).toBe(true);
  });

  it("subscribes each scope to ResourceWriteSuccess of the handled operations, with retries and identity-based dead-lettering", () => {
    const storage = single(sample.main, "Microsoft.Storage/storageAccounts").id;
    const deliveries = sample.main.outputs.AZURE_EVENT_GRID_DELIVERIES as { scope: string; topicId: string }[];
    const subscriptions = ofType(sample.events, "Microsoft.EventGrid/systemTopics/eventSubscriptions");
    expect(subscriptions.map((s) => s.id.split("/eventSubscriptions/")[0])).toEqual(deliveries.map((d) => d.topicId));
    for (const s of subscriptions) {
      expect(s.properties).toMatchObject({
        destination: { endpointType: "WebHook", properties: { maxEventsPerBatch: 1 } },
        filter: {
          includedEventTypes: ["Microsoft.Resources.ResourceWriteSuccess"],
          advancedFilters: [{ operatorType: "StringIn", key: "data.operationName", values: expect.any(Array) }],
        },
        retryPolicy: { maxDeliveryAttempts: expect.any(Number), eventTimeToLiveInMinutes: expect.any(Number) },
        deadLetterWithResourceIdentity: {
          identity: { type: "SystemAssigned" },
          deadLetterDestination: {
            endpointType: "StorageBlob",
            properties: { resourceId: storage, blobContainerName: "eventgrid-deadletter" },
          },
        },
      });
      expect(s.properties, "no key-based dead-lettering").not.toHaveProperty("deadLetterDestination");
    }
  });

  it("points each webhook at the events function's Event Grid endpoint with a key read at deployment, never a parameter", async () => {
    const app = single(sample.main, "Microsoft.Web/sites").id;
    for (const s of ofType(sample.events, "Microsoft.EventGrid/systemTopics/eventSubscriptions")) {
      const url = (s.properties?.destination as { properties: { endpointUrl: string } }).properties.endpointUrl;
      expect(isDeploymentTimeValue(url)).toBe(true);
      expect(url).toContain("'https://{0}/runtime/webhooks/eventgrid?functionName={1}&code={2}'");
      expect(url).toContain(
        `reference('${app}', '2024-04-01').defaultHostName, 'armEvents', listKeys('${app}/host/default', '2024-04-01').systemKeys.eventgrid_extension)`,
      );
    }
    // The module takes the URL (and so the key) as a secure parameter, which ARM keeps out of logs.
    const template = await server.compile("infra/event-subscriptions.bicep");
    const modules = (
      template.resources as {
        type: string;
        properties: { template: { parameters: Record<string, { type: string }> } };
      }[]
    ).filter((r) => r.type === "Microsoft.Resources/deployments");
    expect(modules.map((m) => m.properties.template.parameters.endpointUrl?.type)).toEqual(["securestring"]);
  });

  it("lets each topic's identity write only into the dead-letter container", () => {
    const container = ofType(sample.main, "Microsoft.Storage/storageAccounts/blobServices/containers").find((c) =>
      c.name.endsWith("/eventgrid-deadletter"),
    );
    const writers = assignments(sample.main).filter((a) => roleOf(a) === STORAGE_BLOB_DATA_CONTRIBUTOR);
    // One per topic: the created one and the reused one.
    expect(writers).toHaveLength(2);
    for (const w of writers) expect(scopeOf(w)).toBe(container?.id);
    expect(writers.map((w) => String(w.properties?.principalId)).join()).toContain(
      `${TOPIC_B.replace(B, B.toLowerCase())}', '2025-02-15', 'full').identity.principalId`,
    );
  });
});
