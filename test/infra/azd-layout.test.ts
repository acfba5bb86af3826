/**
 * What `bicep build` and `azd` would reject, checked without them: module
 * parameters and scopes, imports, module outputs, the parameters file, the
 * hooks' inputs, and the events function name the webhook points at.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ParamDecl } from "./bicep/ast";
import { BicepProject, literal, projectRoot, property } from "./bicep/project";

const project = BicepProject.load(projectRoot, "infra");
const read = (path: string) => readFileSync(join(projectRoot, path), "utf8");

function params(path: string): { all: string[]; required: string[] } {
  const declared = project.statements(path, "param");
  const isOptional = (p: ParamDecl) => p.defaultValue !== undefined || p.type.endsWith("?");
  return { all: declared.map((p) => p.name), required: declared.filter((p) => !isOptional(p)).map((p) => p.name) };
}

function targetScopeOf(path: string): string {
  const declared = project.statements(path, "targetScope")[0];
  return literal(declared?.value) ?? "resourceGroup";
}

describe("azure.yaml", () => {
  const yaml = read("azure.yaml");

  it("deploys this package as the api service on Azure Functions", () => {
    expect(yaml).toMatch(/^services:\n {2}api:\n(?: {4}\S.*\n)*? {4}project: \.\n/m);
    expect(yaml).toMatch(/^ {4}language: ts$/m);
    expect(yaml).toMatch(/^ {4}host: function$/m);
  });

  it("runs hooks that exist, for both POSIX shells and PowerShell", () => {
    const runs = [...yaml.matchAll(/^\s+run: (\S+)$/gm)].map((m) => m[1] as string);
    expect(runs.sort()).toEqual([
      "./infra/hooks/postdeploy.ps1",
      "./infra/hooks/postdeploy.sh",
      "./infra/hooks/predown.ps1",
      "./infra/hooks/predown.sh",
      "./infra/hooks/preprovision.ps1",
      "./infra/hooks/preprovision.sh",
    ]);
    for (const run of runs) expect(existsSync(join(projectRoot, run)), run).toBe(true);
  });
});

describe("Bicep modules", () => {
  const modules = [...project.sources.keys()].flatMap((path) => project.statements(path, "module").map((m) => ({ path, m })));

  it("pass every required parameter and no unknown one", () => {
    expect(modules.length).toBeGreaterThanOrEqual(10);
    for (const { path, m } of modules) {
      const target = project.resolvePath(path, m.path);
      const passed = property(m.body, "params");
      const keys = passed?.kind === "object" ? passed.properties.map((p) => p.key) : [];
      const { all, required } = params(target);
      expect(keys.filter((k) => !all.includes(k)), `${path}: module ${m.symbol} passes unknown params`).toEqual([]);
      expect(required.filter((r) => !keys.includes(r)), `${path}: module ${m.symbol} misses params`).toEqual([]);
    }
  });

  it("are deployed at a scope matching their targetScope", () => {
    for (const { path, m } of modules) {
      const target = targetScopeOf(project.resolvePath(path, m.path));
      const scope = property(m.body, "scope");
      const text = scope?.kind === "expr" ? scope.text : undefined;
      const resourceGroupSymbols = project
        .statements(path, "resource")
        .filter((r) => r.typeReference.startsWith("Microsoft.Resources/resourceGroups@"))
        .map((r) => r.symbol);
      if (text === undefined) {
        expect(targetScopeOf(path), `${path}: module ${m.symbol} inherits the deployment scope`).toBe(target);
      } else if (target === "subscription") {
        expect(text, `${path}: module ${m.symbol}`).toMatch(/^subscription\(/);
      } else {
        expect(target).toBe("resourceGroup");
        expect(text.startsWith("resourceGroup(") || resourceGroupSymbols.includes(text), `${path}: module ${m.symbol} scope ${text}`).toBe(true);
      }
    }
  });

  it("reference only outputs their module declares", () => {
    for (const source of project.sources.values()) {
      const symbols = new Map(project.statements(source.path, "module").map((m) => [m.symbol, project.resolvePath(source.path, m.path)]));
      for (const match of source.text.matchAll(/\b([A-Za-z_]\w*)(?:\[[^\]]*\])?\.outputs\.([A-Za-z_]\w*)/g)) {
        const target = symbols.get(match[1] as string);
        expect(target, `${source.path}: ${match[0]} names a module`).toBeDefined();
        const outputs = project.statements(target as string, "output").map((o) => o.name);
        expect(outputs, `${source.path}: ${match[0]}`).toContain(match[2]);
      }
    }
  });

  it("keeps the two scope-access twins identical but for their scope", () => {
    const normalize = (path: string, scope: string) =>
      read(path)
        .replace(/^\/\/.*\n/gm, "")
        .split(`'${scope}'`)
        .join("'<scope>'")
        .split(`${scope}().id`)
        .join("<scope>().id");
    expect(normalize("infra/app/scope-access-subscription.bicep", "subscription")).toBe(
      normalize("infra/app/scope-access-resource-group.bicep", "resourceGroup"),
    );
  });

  it("import only exported variables", () => {
    for (const source of project.sources.values()) {
      for (const imported of project.statements(source.path, "import")) {
        for (const name of imported.names) {
          expect(project.findVar(source.path, name)?.decl.decorators.map((d) => d.name), `${source.path}: ${name}`).toContain("export");
        }
      }
    }
  });
});

describe("parameters and hooks", () => {
  it("main.parameters.json sets only main.bicep parameters, including every required one", () => {
    const file = JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, { value: unknown }> };
    const keys = Object.keys(file.parameters);
    const { all, required } = params("infra/main.bicep");
    expect(keys.filter((k) => !all.includes(k))).toEqual([]);
    expect(required.filter((r) => !keys.includes(r))).toEqual([]);
    expect(file.parameters.managedScopes?.value).toBe("${MANAGED_SCOPES}");
  });

  it("the postdeploy hooks pass exactly the parameters of event-subscriptions.bicep", () => {
    const { all, required } = params("infra/event-subscriptions.bicep");
    const sh = [...read("infra/hooks/postdeploy.sh").matchAll(/^\s+"(\w+)": \{ "value"/gm)].map((m) => m[1] as string);
    const ps1 = [...read("infra/hooks/postdeploy.ps1").matchAll(/^\s+(\w+)\s+= @\{ value =/gm)].map((m) => m[1] as string);
    for (const keys of [sh, ps1]) {
      expect(keys.filter((k) => !all.includes(k))).toEqual([]);
      expect(required.filter((r) => !keys.includes(r))).toEqual([]);
    }
  });

  it("the hooks read only azd's own variables and main.bicep outputs", () => {
    const outputs = project.statements("infra/main.bicep", "output").map((o) => o.name);
    const azdBuiltIns = ["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID"];
    for (const hook of readdirSync(join(projectRoot, "infra/hooks"))) {
      const used = new Set(read(`infra/hooks/${hook}`).match(/\bAZURE_[A-Z_]+\b/g) ?? []);
      expect([...used].filter((v) => !azdBuiltIns.includes(v) && !outputs.includes(v)), hook).toEqual([]);
    }
  });

  it("event deliveries carry the fields event-subscriptions.bicep reads", () => {
    const output = project.statements("infra/main.bicep", "output").find((o) => o.name === "AZURE_EVENT_GRID_DELIVERIES");
    const body = output?.value.kind === "for" ? output.value.body : undefined;
    const fields = body?.kind === "object" ? body.properties.map((p) => p.key).sort() : [];
    expect(fields).toEqual(["scope", "topicId"]);
    const used = new Set([...project.source("infra/event-subscriptions.bicep").text.matchAll(/\bd\.(\w+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(fields);
  });

  it("points the webhook at the Event Grid function the app registers", () => {
    const registered = readdirSync(join(projectRoot, "src/functions"))
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...read(`src/functions/${f}`).matchAll(/app\.eventGrid\(\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1] as string));
    expect(registered).toHaveLength(1);
    const param = project.statements("infra/event-subscriptions.bicep", "param").find((p) => p.name === "eventsFunctionName");
    expect(literal(param?.defaultValue)).toBe(registered[0]);
    // The hooks default EVENTS_FUNCTION_NAME to the same name.
    for (const hook of ["postdeploy.sh", "postdeploy.ps1"]) {
      expect(read(`infra/hooks/${hook}`).match(/EVENTS_FUNCTION_NAME(?::-| \} else \{ ')(\w+)/)?.[1], hook).toBe(registered[0]);
    }
  });

  it("creates the queue the worker listens on, by the same name the app is given", () => {
    const queueParam = project.statements("infra/main.bicep", "param").find((p) => p.name === "reconcileQueueName");
    expect(literal(queueParam?.defaultValue)).toBe("reconcile");
    const storage = project.statements("infra/main.bicep", "module").find((m) => m.symbol === "storage");
    const queues = property(storage?.body, "params.queueNames");
    expect(queues?.kind === "array" ? queues.items.map((i) => (i.kind === "expr" ? i.text : "")) : []).toEqual(["reconcileQueueName"]);
    const api = project.statements("infra/main.bicep", "module").find((m) => m.symbol === "api");
    expect(property(api?.body, "params.reconcileQueueName")).toMatchObject({ kind: "expr", text: "reconcileQueueName" });
  });
});
