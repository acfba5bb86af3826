/**
 * The Azure File Sync agent versions and their lifecycle, as the release notes
 * publish them (https://learn.microsoft.com/azure/storage/file-sync/file-sync-release-notes,
 * "Supported versions" / "Unsupported versions"). The emulator judges by this
 * table unless a seed gives its own.
 * The service reports each registered server's `agentVersionStatus` (Ok,
 * NearExpiry, Expired, Blocked) and `agentVersionExpirationDate` (2022-09-01).
 */
export interface AgentVersionEntry {
  /** A major version ("20") or a major.minor prefix ("20.1"); the longest matching prefix wins. */
  version: string;
  /** The published expiration date (YYYY-MM-DD), when there is one. */
  expiresOn?: string;
  /** Expired, with no date in the copies of the notes the table was taken from. */
  expired?: boolean;
  /** Blocked by the service (a version withdrawn before its expiration). */
  blocked?: boolean;
}

export type AgentVersionStatus = "Ok" | "NearExpiry" | "Expired" | "Blocked";

/**
 * The release notes as of 2026: v16 expired on 2024-07-29; v17 before 2026; v18
 * and v19 expired in 2026 (copies of the notes disagree on the day, so no date
 * is given); v20 expires on 2026-10-29; v21 and v22 have no published date.
 * Anything below 16 expired long before.
 */
export const PUBLISHED_AGENT_VERSIONS: readonly AgentVersionEntry[] = [
  { version: "16", expiresOn: "2024-07-29" },
  { version: "17", expired: true },
  { version: "18", expired: true },
  { version: "19", expired: true },
  { version: "20", expiresOn: "2026-10-29" },
  { version: "21" },
  { version: "22" },
];

/**
 * The agent a server runs unless told otherwise (seeds, created servers, generated estates): v21.2, a
 * supported agent with no published expiration date (and the first offered as an Arc extension).
 */
export const CURRENT_AGENT_VERSION = "21.2.0.0";

/** The service warns this long before an agent expires (not documented; the emulator's choice). */
export const NEAR_EXPIRY_MS = 60 * 24 * 3600 * 1000;

const parts = (v: string): number[] => v.split(".").map((p) => Number.parseInt(p, 10) || 0);

function entryOf(table: readonly AgentVersionEntry[], agentVersion: string): AgentVersionEntry | undefined {
  const version = parts(agentVersion);
  let best: AgentVersionEntry | undefined;
  for (const entry of table) {
    const prefix = parts(entry.version);
    if (prefix.every((p, i) => version[i] === p) && (!best || prefix.length > parts(best.version).length)) best = entry;
  }
  return best;
}

/** The status and expiration date the service reports for an agent at `nowMs`. */
export function agentLifecycle(
  table: readonly AgentVersionEntry[],
  agentVersion: string,
  nowMs: number,
): { status: AgentVersionStatus; expiresAt?: string } {
  // An empty table (a seed's "none") judges nothing: every agent Ok.
  if (table.length === 0) return { status: "Ok" };
  const entry = entryOf(table, agentVersion);
  const lowest = Math.min(...table.map((e) => parts(e.version)[0] ?? 0));
  // Older than every listed version: long expired.
  if (!entry) return (parts(agentVersion)[0] ?? 0) < lowest ? { status: "Expired" } : { status: "Ok" };
  const expiresAt = entry.expiresOn ? `${entry.expiresOn}T00:00:00Z` : undefined;
  const at = (status: AgentVersionStatus) => ({ status, ...(expiresAt ? { expiresAt } : {}) });
  if (entry.blocked) return at("Blocked");
  if (entry.expired) return at("Expired");
  if (!expiresAt) return at("Ok");
  const expiry = Date.parse(expiresAt);
  if (nowMs >= expiry) return at("Expired");
  return at(nowMs >= expiry - NEAR_EXPIRY_MS ? "NearExpiry" : "Ok");
}

/** An agent that can no longer connect: it neither heartbeats, reports an identity, nor picks up a switch. */
export const cannotConnect = (status: AgentVersionStatus | undefined): boolean =>
  status === "Expired" || status === "Blocked";
