/** The README's deployment section describes the deployment that infra/ really makes. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BicepProject, literal, projectRoot, property } from "./bicep/project";
import { GUID_PATTERN, KNOWN_ROLES } from "./known-roles";

const project = BicepProject.load(projectRoot, "infra");
const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
const doc = readme.slice(readme.indexOf("## Deployment"), readme.indexOf("\n## ", readme.indexOf("## Deployment") + 3));
const rolesSection = doc.slice(doc.indexOf("### Roles"), doc.indexOf("### Remove everything"));

function exportedStrings(name: string): string[] {
  const value = project.findVar("infra/app/roles.bicep", name)?.decl.value;
  return value?.kind === "array" ? value.items.map((i) => literal(i) ?? "") : [];
}

describe("README.md, Deployment", () => {
  it("has a roles section listing every role id used in infra/, and no other", () => {
    expect(rolesSection.length).toBeGreaterThan(100);
    const used = new Set([...project.sources.values()].flatMap((s) => (s.text.match(GUID_PATTERN) ?? []).map((g) => g.toLowerCase())));
    const documented = new Set((rolesSection.match(GUID_PATTERN) ?? []).map((g) => g.toLowerCase()));
    expect([...used].filter((g) => !documented.has(g))).toEqual([]);
    expect([...documented].filter((g) => !used.has(g))).toEqual([]);
    for (const guid of documented) expect(rolesSection, guid).toContain(KNOWN_ROLES[guid]);
  });

  it("names each custom role and every action it grants", () => {
    for (const definition of project.resources().filter((r) => r.type === "Microsoft.Authorization/roleDefinitions")) {
      const roleName = property(definition.body, "properties.roleName");
      // 'AFS identity reconciler reader (${nameSuffix})': the part before the per-environment suffix.
      const prefix = roleName?.kind === "string" ? roleName.value.split(" (")[0] : undefined;
      expect(prefix).toMatch(/^AFS identity reconciler /);
      expect(rolesSection).toContain(prefix);
    }
    for (const action of [...exportedStrings("scopeReaderActions"), ...exportedStrings("storageSyncOperatorActions")]) {
      expect(rolesSection).toContain(`\`${action}\``);
    }
  });

  it("explains every azd environment variable the parameters file reads, and how to deploy and remove", () => {
    const parameters = readFileSync(join(projectRoot, "infra/main.parameters.json"), "utf8");
    for (const [, name] of parameters.matchAll(/\$\{(\w+)/g)) expect(doc, name).toContain(`\`${name}\``);
    for (const command of ["azd auth login", "azd env new", "azd up", "azd down --purge", "azd hooks run postdeploy"]) {
      expect(doc).toContain(command);
    }
  });
});
