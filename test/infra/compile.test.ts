/**
 * `bicep build` of both deployable templates and `bicep lint` of all of infra/
 * with the real Bicep CLI: zero errors, zero warnings. Bicep checks every
 * resource's property names and values against Azure's type definitions, so
 * a typo fails here, not in a user's first `azd up`. The compiled templates'
 * parameters are then checked against what azd and the hooks pass in.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bicepCli, repoRoot, type ArmTemplate, type CliDiagnostic } from "./support/bicep-cli";

const TEMPLATES = ["main", "event-subscriptions"] as const;
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "afsid-compile-"));
const compiled: Partial<Record<(typeof TEMPLATES)[number], ArmTemplate>> = {};
const findings: Record<string, { diagnostics: CliDiagnostic[]; other: string[]; exitCode: number }> = {};

beforeAll(async () => {
  await Promise.all([
    ...TEMPLATES.map(async (name) => {
      findings[`build ${name}`] = await bicepCli(["build", `infra/${name}.bicep`, "--outdir", scratch]);
      compiled[name] = JSON.parse(readFileSync(join(scratch, `${name}.json`), "utf8")) as ArmTemplate;
    }),
    bicepCli(["lint", "--pattern", "infra/**/*.bicep"]).then((r) => (findings.lint = r)),
  ]);
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function template(name: (typeof TEMPLATES)[number]): ArmTemplate {
  const found = compiled[name];
  if (!found) throw new Error(`infra/${name}.bicep did not compile`);
  return found;
}

describe("the Bicep CLI", () => {
  it.each([...TEMPLATES.map((t) => `build ${t}`), "lint"])("%s: no error, no warning", (step) => {
    const result = findings[step];
    expect(result?.diagnostics.map((d) => d.text)).toEqual([]);
    expect(result?.other).toEqual([]);
    expect(result?.exitCode).toBe(0);
  });

  it("fails a misspelled resource property, and the lint pattern reaches every module, in a scratch copy", async () => {
    const copy = join(scratch, "infra");
    cpSync(join(repoRoot, "infra"), copy, { recursive: true });
    const api = join(copy, "app", "api.bicep");
    writeFileSync(api, readFileSync(api, "utf8").replace("httpsOnly: true", "httpsOnyl: true"));
    const results = await Promise.all([
      bicepCli(["build", "main.bicep", "--stdout"], copy),
      bicepCli(["lint", "--pattern", "**/*.bicep"], copy),
    ]);
    for (const result of results) {
      // lint reports a module's finding once per file that reaches it
      expect(new Set(result.diagnostics.map((d) => `${d.file} ${d.code}`))).toEqual(
        new Set([`${join("app", "api.bicep")} BCP089`]),
      );
      expect(result.diagnostics[0]?.text).toContain(
        'The property "httpsOnyl" is not allowed on objects of type "SiteProperties". Did you mean "httpsOnly"?',
      );
    }
  }, 180_000);
});

describe("main.parameters.json against the compiled main.bicep", () => {
  const file = JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, { value: unknown }> };
  const entries = Object.entries(file.parameters);

  it("sets only parameters main.bicep declares, and every one without a default", () => {
    const declared = template("main").parameters ?? {};
    expect(entries.map(([name]) => name).filter((name) => !(name in declared))).toEqual([]);
    const required = Object.entries(declared)
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([name]) => name);
    expect(required.filter((name) => !(name in file.parameters))).toEqual([]);
    expect(file.parameters.managedScopes?.value).toBe("${MANAGED_SCOPES}");
  });

  it("passes azd variables only to string parameters, with defaults those parameters allow", () => {
    const declared = template("main").parameters ?? {};
    for (const [name, { value }] of entries) {
      // azd substitutes ${VAR} and ${VAR=default} with text.
      const placeholder = typeof value === "string" ? /^\$\{(\w+)(?:=([^}]*))?\}$/.exec(value) : null;
      expect(placeholder, `${name}: ${JSON.stringify(value)}`).not.toBeNull();
      const parameter = declared[name];
      expect(parameter?.type, name).toBe("string");
      const fallback = placeholder?.[2];
      if (fallback !== undefined && parameter?.allowedValues) expect(parameter.allowedValues, name).toContain(fallback);
      if (fallback !== undefined && parameter?.defaultValue !== undefined)
        expect(fallback, name).toBe(parameter.defaultValue);
    }
  });
});

describe("the hooks against the compiled templates", () => {
  it("postdeploy passes exactly the parameters of event-subscriptions.bicep, in both shells", () => {
    const declared = template("event-subscriptions").parameters ?? {};
    const required = Object.entries(declared)
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([name]) => name);
    const sh = [...read("infra/hooks/postdeploy.sh").matchAll(/^\s+"(\w+)": \{ "value"/gm)].map((m) => m[1] as string);
    const ps1 = [...read("infra/hooks/postdeploy.ps1").matchAll(/^\s+(\w+)\s+= @\{ value =/gm)].map(
      (m) => m[1] as string,
    );
    for (const keys of [sh, ps1]) {
      expect(keys.filter((k) => !(k in declared))).toEqual([]);
      expect(required.filter((r) => !keys.includes(r))).toEqual([]);
    }
  });

  it("read only azd's own variables and main.bicep outputs", () => {
    const outputs = Object.keys(template("main").outputs ?? {});
    expect(outputs).toContain("AZURE_EVENT_GRID_DELIVERIES");
    const azdBuiltIns = ["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID"];
    for (const hook of readdirSync(join(repoRoot, "infra/hooks"))) {
      const used = new Set(read(`infra/hooks/${hook}`).match(/\bAZURE_[A-Z_]+\b/g) ?? []);
      expect(
        [...used].filter((v) => !azdBuiltIns.includes(v) && !outputs.includes(v)),
        hook,
      ).toEqual([]);
    }
  });

  it("point the webhook at the Event Grid function the app registers", () => {
    const registered = readdirSync(join(repoRoot, "src/functions"))
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) =>
        [...read(`src/functions/${f}`).matchAll(/app\.eventGrid\(\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1] as string),
      );
    expect(registered).toHaveLength(1);
    expect(template("event-subscriptions").parameters?.eventsFunctionName?.defaultValue).toBe(registered[0]);
    for (const hook of ["postdeploy.sh", "postdeploy.ps1"]) {
      expect(read(`infra/hooks/${hook}`).match(/EVENTS_FUNCTION_NAME(?::-| \} else \{ ')(\w+)/)?.[1], hook).toBe(
        registered[0],
      );
    }
  });
});
