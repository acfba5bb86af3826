/**
 * What azd reads besides the templates: azure.yaml's service and hooks, and the
 * two scope-access modules that must stay twins (Bicep gives a module one
 * target scope, so the subscription and resource-group versions are copies).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../dev/tools/infra-tools";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

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
    for (const run of runs) expect(existsSync(join(repoRoot, run)), run).toBe(true);
  });
});

describe("scope-access modules", () => {
  it("keep the two twins identical but for their scope", () => {
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
});
