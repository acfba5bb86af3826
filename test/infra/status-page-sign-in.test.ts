/**
 * The optional Entra sign-in in front of the status page (infra/app/auth.bicep),
 * read with the project's Bicep parser: the platform lets unauthenticated
 * requests through (function keys keep working), accepts only this tenant's
 * tokens, and main.bicep turns the page's own sign-in check on only together
 * with the platform's authentication.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Value } from "./bicep/ast";
import { BicepProject, literal, projectRoot, property } from "./bicep/project";

const project = BicepProject.load(projectRoot, "infra");
const auth = project.resources().filter((r) => r.type === "Microsoft.Web/sites/config" && literal(property(r.body, "name")) === "authsettingsV2");
/** A string literal's value, or a bare expression's text (true, false). */
const valueOf = (v: Value | undefined): string | undefined => (v?.kind === "expr" ? v.text : literal(v));
const main = readFileSync(join(projectRoot, "infra", "main.bicep"), "utf8");

describe("status page sign-in (App Service Authentication)", () => {
  it("is declared once, in infra/app/auth.bicep, and lets requests without a session reach the app", () => {
    expect(auth.map((r) => r.path)).toEqual(["infra/app/auth.bicep"]);
    const body = auth[0]?.body;
    expect(valueOf(property(body, "properties.platform.enabled"))).toBe("true");
    expect(valueOf(property(body, "properties.globalValidation.requireAuthentication"))).toBe("false");
    expect(literal(property(body, "properties.globalValidation.unauthenticatedClientAction"))).toBe("AllowAnonymous");
    expect(valueOf(property(body, "properties.httpSettings.requireHttps"))).toBe("true");
  });

  it("accepts only tokens issued by this tenant, through Entra ID only", () => {
    const source = readFileSync(join(projectRoot, "infra", "app", "auth.bicep"), "utf8");
    expect(source).toMatch(/var issuer = '\$\{environment\(\)\.authentication\.loginEndpoint\}\$\{tenant\(\)\.tenantId\}\/v2\.0'/);
    const providers = property(auth[0]?.body, "properties.identityProviders");
    expect(providers?.kind === "object" ? providers.properties.map((p) => p.key) : []).toEqual(["azureActiveDirectory"]);
  });

  it("main.bicep deploys it and sets STATUS_PAGE_SIGN_IN=entra under the same condition, off by default", () => {
    expect(main).toContain("param statusPageSignInClientId string = ''");
    expect(main).toContain("module statusPageSignIn 'app/auth.bicep' = if (!empty(statusPageSignInClientId))");
    expect(main).toContain("empty(statusPageSignInClientId) ? {} : { STATUS_PAGE_SIGN_IN: 'entra' }");
  });
});
