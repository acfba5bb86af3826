import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../../src/lib/config";
import { loadStatusPageSignIn } from "../../../../src/lib/sign-in-mode";
import { loginUrl, signedInUser } from "../../../../src/lib/status-page/sign-in";

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });
const principal = (claims: { typ: string; val: string }[]) =>
  Buffer.from(JSON.stringify({ auth_typ: "aad", claims, name_typ: "name", role_typ: "roles" })).toString("base64");

describe("sign-in", () => {
  it("Entra mode only with STATUS_PAGE_SIGN_IN=entra (any case); the function key otherwise", () => {
    expect(loadStatusPageSignIn({ STATUS_PAGE_SIGN_IN: "entra" })).toBe("entra");
    expect(loadStatusPageSignIn({ STATUS_PAGE_SIGN_IN: " Entra " })).toBe("entra");
    expect(loadStatusPageSignIn({})).toBe("functionKey");
    expect(loadStatusPageSignIn({ STATUS_PAGE_SIGN_IN: "" })).toBe("functionKey");
    expect(loadStatusPageSignIn({ STATUS_PAGE_SIGN_IN: "true" })).toBe("functionKey");
  });

  it("a bad STATUS_PAGE_SIGN_IN keeps the key at registration and is named by loadConfig on every invocation", () => {
    const minimal = {
      MANAGED_SCOPES: "/subscriptions/00000000-0000-0000-0000-000000000001",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
    };
    expect(loadConfig(minimal).statusPageSignIn).toBe("functionKey");
    expect(loadConfig({ ...minimal, STATUS_PAGE_SIGN_IN: "Entra" }).statusPageSignIn).toBe("entra");
    expect(() => loadConfig({ ...minimal, STATUS_PAGE_SIGN_IN: "true" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, STATUS_PAGE_SIGN_IN: "true" })).toThrow(/STATUS_PAGE_SIGN_IN must be entra/);
  });

  it("reads the user from X-MS-CLIENT-PRINCIPAL-NAME, and the object id from the principal's claims", () => {
    const user = signedInUser(
      headers({
        "x-ms-client-principal-name": "alice@contoso.com",
        "x-ms-client-principal": principal([
          {
            typ: "http://schemas.microsoft.com/identity/claims/objectidentifier",
            val: "0f0f0f0f-0000-4000-8000-000000000001",
          },
        ]),
      }),
    );
    expect(user).toEqual({ name: "alice@contoso.com", objectId: "0f0f0f0f-0000-4000-8000-000000000001" });
  });

  it("falls back to the name claim; a malformed principal header still means somebody signed in, never a crash", () => {
    expect(signedInUser(headers({ "x-ms-client-principal": principal([{ typ: "name", val: "Bob" }]) }))?.name).toBe(
      "Bob",
    );
    expect(signedInUser(headers({ "x-ms-client-principal": "%%%not base64 json" }))?.name).toBe("signed-in user");
    expect(signedInUser(headers({}))).toBeUndefined();
  });

  it("sends the user back to the page they asked for after signing in", () => {
    expect(loginUrl("/api/page/service?id=/subscriptions/x")).toBe(
      "/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fpage%2Fservice%3Fid%3D%2Fsubscriptions%2Fx",
    );
  });
});
