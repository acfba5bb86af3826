import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";

/**
 * The one credential for every ARM call. DefaultAzureCredential covers the
 * Functions host (managed identity), a developer's `az login`, and the local
 * emulator (its App Service-style IDENTITY_ENDPOINT/IDENTITY_HEADER).
 */
export function createCredential(options: { managedIdentityClientId?: string }): TokenCredential {
  return options.managedIdentityClientId
    ? new DefaultAzureCredential({ managedIdentityClientId: options.managedIdentityClientId })
    : new DefaultAzureCredential();
}
