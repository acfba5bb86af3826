/**
 * The optional Entra sign-in in front of the status page (infra/app/auth.bicep
 * through main.bicep), as Bicep evaluates the deployment: the platform lets
 * unauthenticated requests through (function keys keep working), accepts only
 * this tenant's tokens, optionally only one group's members, and the page's own
 * sign-in check (STATUS_PAGE_SIGN_IN) is on exactly when the platform's
 * authentication is deployed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BicepServer, DEPLOYMENT, type PredictedResource, type Snapshot } from "./support/bicep-cli";
import { deployMain, ofType } from "./support/deployment";

const CLIENT_ID = "6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a";
const GROUP_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const MANAGED_SCOPES = `/subscriptions/${DEPLOYMENT.subscriptionId}`;

let server: BicepServer;
let off: Snapshot;
let anyUser: Snapshot;
let group: Snapshot;

beforeAll(async () => {
  server = BicepServer.start();
  off = await deployMain(server, { managedScopes: MANAGED_SCOPES });
  anyUser = await deployMain(server, { managedScopes: MANAGED_SCOPES, statusPageSignInClientId: CLIENT_ID });
  group = await deployMain(server, {
    managedScopes: MANAGED_SCOPES,
    statusPageSignInClientId: CLIENT_ID,
    statusPageSignInGroupId: GROUP_ID,
  });
}, 120_000);

afterAll(() => server?.close());

/** The Function App's config resources named `name` (authsettingsV2, appsettings). */
const siteConfig = (s: Snapshot, name: string): PredictedResource[] =>
  ofType(s, "Microsoft.Web/sites/config").filter((r) => r.name.endsWith(`/${name}`));
const authSettings = (s: Snapshot) => siteConfig(s, "authsettingsV2");
const appSetting = (s: Snapshot, name: string) => siteConfig(s, "appsettings")[0]?.properties?.[name];
const aad = (s: Snapshot) =>
  (authSettings(s)[0]?.properties?.identityProviders as { azureActiveDirectory?: Record<string, unknown> } | undefined)
    ?.azureActiveDirectory;

describe("status page sign-in (App Service Authentication)", () => {
  it("is off by default: no authentication settings and no STATUS_PAGE_SIGN_IN", () => {
    expect(authSettings(off)).toEqual([]);
    expect(siteConfig(off, "appsettings")).toHaveLength(1);
    expect(appSetting(off, "STATUS_PAGE_SIGN_IN")).toBeUndefined();
  });

  it("with a client id, is deployed on the Function App and lets requests without a session reach the app, so function keys keep working", () => {
    for (const s of [anyUser, group]) {
      const [auth, ...more] = authSettings(s);
      expect(more).toEqual([]);
      const site = ofType(s, "Microsoft.Web/sites")[0];
      expect(auth?.name).toBe(`${site?.name}/authsettingsV2`);
      expect(auth?.properties).toMatchObject({
        platform: { enabled: true },
        globalValidation: { requireAuthentication: false, unauthenticatedClientAction: "AllowAnonymous" },
        httpSettings: { requireHttps: true },
      });
      expect(appSetting(s, "STATUS_PAGE_SIGN_IN")).toBe("entra");
    }
  });

  it("accepts only tokens issued by this tenant, for this app registration, through Entra ID only", () => {
    const providers = authSettings(anyUser)[0]?.properties?.identityProviders as Record<string, unknown>;
    expect(Object.keys(providers)).toEqual(["azureActiveDirectory"]);
    expect(aad(anyUser)).toMatchObject({
      enabled: true,
      // The cloud's login endpoint is known only at deployment; the tenant is the deployment's own.
      registration: {
        clientId: CLIENT_ID,
        openIdIssuer: `[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, '${DEPLOYMENT.tenantId}')]`,
      },
      validation: { allowedAudiences: [CLIENT_ID, `api://${CLIENT_ID}`] },
    });
  });

  it("lets every user of the tenant sign in without a group, and only the group's members with one", () => {
    expect((aad(anyUser)?.validation as Record<string, unknown>).defaultAuthorizationPolicy).toEqual({
      allowedPrincipals: {},
    });
    expect((aad(group)?.validation as Record<string, unknown>).defaultAuthorizationPolicy).toEqual({
      allowedPrincipals: { groups: [GROUP_ID] },
    });
  });
});
