import { resourceIdKey } from "../azure";
import { serversBehindEndpoint } from "./required-grants";
import type { Snapshot } from "./snapshot";

/** A storage account setting that stops File Sync, found before anything is written. */
export interface PrerequisiteFinding {
  storageAccountId: string;
  code: "TrustedServicesBypassMissing" | "SharedKeyAccessDisabled";
  message: string;
  remedy: string;
  /** The servers it affects. */
  serverIds: string[];
}

const ON_IDENTITY = "managedidentity";

/**
 * The seed document's prerequisites, checked on the storage accounts observe
 * read (one GET each per run): a firewall that denies by default without the
 * trusted-services exception (File Sync then fails with 0x80131500, as
 * Test-NetworkConnectivity reports), and shared keys disabled while servers
 * of that account still use their certificate (they sync with shared keys).
 */
export function prerequisiteFindings(snapshot: Snapshot): PrerequisiteFinding[] {
  const findings: PrerequisiteFinding[] = [];
  for (const account of snapshot.storageAccounts ?? []) {
    const id = resourceIdKey(account.resourceId);
    const behind = new Map<string, Snapshot["servers"][number]>();
    for (const group of snapshot.syncGroups) {
      if (
        !group.cloudEndpoints.some(
          (c) => c.storageAccountResourceId && resourceIdKey(c.storageAccountResourceId) === id,
        )
      )
        continue;
      for (const endpoint of group.serverEndpoints) {
        for (const server of endpoint.serverResourceId
          ? serversBehindEndpoint(endpoint.serverResourceId, snapshot.servers)
          : [])
          behind.set(server.serverId, server);
      }
    }
    const servers = [...behind.values()];
    const trusted = account.bypass.some((b) => b.toLowerCase() === "azureservices");
    if (account.defaultAction.toLowerCase() === "deny" && !trusted) {
      findings.push({
        storageAccountId: account.resourceId,
        code: "TrustedServicesBypassMissing",
        message: `Storage account ${account.resourceId} denies network access by default (networkAcls.defaultAction Deny) without the trusted-services exception (bypass ${account.bypass.join(",") || "None"}): File Sync cannot reach it and fails with 0x80131500 (Test-NetworkConnectivity).`,
        remedy: `Enable "Allow Azure services on the trusted services list to access this storage account" on ${account.resourceId} (networkAcls.bypass AzureServices).`,
        serverIds: servers.map((s) => s.serverId),
      });
    }
    const onCertificate = servers.filter((s) => (s.activeAuthType ?? "").toLowerCase() !== ON_IDENTITY);
    if (!account.allowSharedKeyAccess && onCertificate.length > 0) {
      findings.push({
        storageAccountId: account.resourceId,
        code: "SharedKeyAccessDisabled",
        message: `Storage account ${account.resourceId} disallows shared key access (allowSharedKeyAccess false) while ${onCertificate.length} of its servers (${onCertificate.map((s) => s.name).join(", ")}) still use their certificate, which syncs with shared keys.`,
        remedy: `Allow shared key access on ${account.resourceId} until every server of it uses its managed identity (state Active), then disable it again.`,
        serverIds: onCertificate.map((s) => s.serverId),
      });
    }
  }
  return findings;
}
