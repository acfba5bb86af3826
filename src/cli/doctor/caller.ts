import type { TokenCredential } from "@azure/core-auth";

/** Who the doctor runs as: the claims of the ARM access token it got. */
export interface Caller {
  objectId?: string;
  tenantId?: string;
  /** upn, unique_name or appid: what a person recognises. */
  name?: string;
}

/** Decodes the token's payload (no signature check: ARM checks it; the doctor only reads the claims). */
export function claimsOf(token: string): Caller {
  const payload = token.split(".")[1];
  if (!payload) return {};
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
  const text = (key: string): string | undefined =>
    typeof claims[key] === "string" && claims[key] !== "" ? (claims[key] as string) : undefined;
  return { objectId: text("oid"), tenantId: text("tid"), name: text("upn") ?? text("unique_name") ?? text("appid") };
}

export async function signedInCaller(credential: TokenCredential, scope: string): Promise<Caller> {
  const token = await credential.getToken(scope);
  if (!token) throw new Error(`no access token for ${scope}`);
  return claimsOf(token.token);
}
