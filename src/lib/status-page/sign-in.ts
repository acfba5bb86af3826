/**
 * Who is looking at the page. Behind App Service Authentication (Entra ID)
 * the platform puts the signed-in user in X-MS-CLIENT-PRINCIPAL-NAME and
 * X-MS-CLIENT-PRINCIPAL (base64 JSON of the claims), and removes those
 * headers from requests that come from outside
 * (https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities).
 */
export interface SignedInUser {
  name: string;
  /** Entra object id (oid claim) when present. */
  objectId?: string;
}

interface ClientPrincipal {
  claims?: { typ?: unknown; val?: unknown }[];
}

function decodePrincipal(header: string): ClientPrincipal | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as ClientPrincipal) : undefined;
  } catch {
    return undefined;
  }
}

const OBJECT_ID_CLAIMS = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];
const NAME_CLAIMS = ["name", "preferred_username", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"];

/** The signed-in user from the platform's headers, or undefined when nobody signed in. */
export function signedInUser(headers: { get(name: string): string | null }): SignedInUser | undefined {
  const principal = headers.get("x-ms-client-principal");
  const claims = principal ? (decodePrincipal(principal)?.claims ?? []) : [];
  const claim = (types: string[]): string | undefined => {
    const found = claims.find((c) => typeof c.typ === "string" && types.includes(c.typ) && typeof c.val === "string");
    return typeof found?.val === "string" ? found.val : undefined;
  };
  const name = headers.get("x-ms-client-principal-name") ?? claim(NAME_CLAIMS);
  if (!name && !principal) return undefined;
  return { name: (name ?? "signed-in user").slice(0, 300), objectId: claim(OBJECT_ID_CLAIMS) };
}

/** Where App Service Authentication signs a user in and then sends them back to `returnTo` (a path on this app). */
export function loginUrl(returnTo: string): string {
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(returnTo)}`;
}
