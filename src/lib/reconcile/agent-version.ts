/** File Sync agent versions look like 19.1.0.0; missing parts count as 0. */
export function parseAgentVersion(version: string | undefined): number[] | undefined {
  if (!version) return undefined;
  const match = /^\s*v?(\d+(?:\.\d+){0,3})/i.exec(version);
  if (!match?.[1]) return undefined;
  const parts = match[1].split(".").map(Number);
  while (parts.length < 4) parts.push(0);
  return parts;
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareAgentVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 4; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * True only when the version is known and below the minimum. An unknown
 * version does not block: a server reporting an identity runs an agent recent
 * enough to report one.
 */
export function isAgentTooOld(agentVersion: string | undefined, minAgentVersion: string): boolean {
  const actual = parseAgentVersion(agentVersion);
  const minimum = parseAgentVersion(minAgentVersion);
  if (!actual || !minimum) return false;
  return compareAgentVersions(actual, minimum) < 0;
}
