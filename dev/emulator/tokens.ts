import { ArmError } from "./arm-error";

/**
 * Access tokens: unsigned JWTs (alg "none") carrying the caller's `oid`, so
 * RBAC enforcement knows who calls. Nothing outside the emulator checks them.
 */
export interface TokenClaims {
  oid: string;
  tid: string;
  aud: string;
  iat: number;
  exp: number;
  appid?: string;
  idtyp?: string;
}

const b64url = (s: string): string => Buffer.from(s, "utf8").toString("base64url");

export function issueToken(claims: TokenClaims): string {
  return `${b64url(JSON.stringify({ typ: "JWT", alg: "none" }))}.${b64url(JSON.stringify(claims))}.`;
}

/** Reads the bearer token of a request; 401 in ARM's words when it is absent or unreadable. */
export function callerFromAuthorization(header: string | undefined, nowMs: number): TokenClaims {
  if (!header) {
    throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", {
      "WWW-Authenticate":
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
    });
  }
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const payload = match?.[1]?.split(".")[1];
  let claims: Partial<TokenClaims> | undefined;
  try {
    claims = payload
      ? (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<TokenClaims>)
      : undefined;
  } catch {
    claims = undefined;
  }
  if (!claims || typeof claims.oid !== "string") {
    throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 < nowMs) {
    throw new ArmError(
      401,
      "ExpiredAuthenticationToken",
      "The access token expiry UTC time is earlier than current UTC time.",
    );
  }
  return { oid: claims.oid, tid: claims.tid ?? "", aud: claims.aud ?? "", iat: claims.iat ?? 0, exp: claims.exp ?? 0 };
}
