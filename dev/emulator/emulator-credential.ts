import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { EmulatorHandle } from "./index";

/**
 * Tokens straight from the emulator's MSI endpoint: MSAL caches the first endpoint per process, and one process may
 * start several emulators.
 */
export function emulatorCredential(emulator: EmulatorHandle): TokenCredential {
  let cached: AccessToken | undefined;
  return {
    async getToken(scopes): Promise<AccessToken> {
      if (cached && cached.expiresOnTimestamp > Date.now() + 60_000) return cached;
      const resource = (Array.isArray(scopes) ? scopes[0] : scopes)?.replace(/\/\.default$/, "") ?? "";
      const url = `${emulator.identityEndpoint}?resource=${encodeURIComponent(resource)}&api-version=2019-08-01`;
      const response = await fetch(url, { headers: { "X-IDENTITY-HEADER": emulator.identityHeader } });
      const body = (await response.json()) as { access_token: string; expires_on: string };
      cached = { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
      return cached;
    },
  };
}
