/** docs/deployment.md describes the deployment that infra/ really makes. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BicepServer, repoRoot } from "./support/bicep-cli";
import { deploy, ofType, ROLE_DEFINITION, type Deployment } from "./support/deployment";
import { GUID_PATTERN, KNOWN_ROLES } from "./support/known-roles";

const doc = readFileSync(join(repoRoot, "docs/deployment.md"), "utf8");
const rolesSection = doc.slice(doc.indexOf("\n## Roles\n"), doc.indexOf("\n## Remove everything\n"));

function bicepTexts(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return bicepTexts(path);
    return entry.name.endsWith(".bicep") ? [readFileSync(join(repoRoot, path), "utf8")] : [];
  });
}

let server: BicepServer;
/** The RBAC option defines both custom roles. */
let rbac: Deployment;

beforeAll(async () => {
  server = BicepServer.start();
  rbac = await deploy(server, {
    managedScopes: "/subscriptions/5f8b4a2e-0c1d-4e6f-9a7b-3c2d1e0f9a8b",
    accessOption: "RbacAdministratorWithCondition",
  });
}, 120_000);

afterAll(() => server?.close());

describe("docs/deployment.md", () => {
  it("has a roles section listing every role id used in infra/, and no other", () => {
    expect(rolesSection.length).toBeGreaterThan(100);
    const used = new Set(
      bicepTexts("infra").flatMap((text) => (text.match(GUID_PATTERN) ?? []).map((g) => g.toLowerCase())),
    );
    const documented = new Set((rolesSection.match(GUID_PATTERN) ?? []).map((g) => g.toLowerCase()));
    expect([...used].filter((g) => !documented.has(g))).toEqual([]);
    expect([...documented].filter((g) => !used.has(g))).toEqual([]);
    for (const guid of documented) expect(rolesSection, guid).toContain(KNOWN_ROLES[guid]);
  });

  it("names each custom role and every action it grants", () => {
    const definitions = ofType(rbac.main, ROLE_DEFINITION);
    expect(definitions).toHaveLength(2);
    for (const definition of definitions) {
      // 'AFS identity reconciler reader (prod-…)': the part before the per-environment suffix.
      const prefix = String(definition.properties?.roleName).split(" (")[0] ?? "";
      expect(prefix).toMatch(/^AFS identity reconciler /);
      expect(rolesSection).toContain(prefix);
      for (const { actions } of definition.properties?.permissions as { actions: string[] }[]) {
        for (const action of actions) expect(rolesSection).toContain(`\`${action}\``);
      }
    }
  });

  it("explains every azd environment variable the parameters file reads, and how to deploy and remove", () => {
    const parameters = readFileSync(join(repoRoot, "infra/main.parameters.json"), "utf8");
    for (const [, name] of parameters.matchAll(/\$\{(\w+)/g)) expect(doc, name).toContain(`\`${name}\``);
    for (const command of ["azd auth login", "azd env new", "azd up", "azd down --purge", "azd hooks run postdeploy"]) {
      expect(doc).toContain(command);
    }
  });
});
