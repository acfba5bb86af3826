/**
 * The `$filter` of role assignment lists, as ARM supports it:
 * `atScope()` (at or above the scope only), `principalId eq '{id}'`,
 * `assignedTo('{id}')` (same principal match here: the emulator has no
 * groups) and `roleDefinitionId eq '{id}'`, joined with `and`.
 */
export interface RoleAssignmentFilter {
  atScope: boolean;
  principalId?: string;
  roleDefinitionId?: string;
}

export function parseRoleAssignmentFilter(filter: string | undefined): RoleAssignmentFilter {
  const out: RoleAssignmentFilter = { atScope: false };
  if (!filter || filter.trim() === "") return out;
  for (const rawTerm of filter.split(/\s+and\s+/i)) {
    const term = rawTerm.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\s*\)$/i.test(term)) out.atScope = true;
    else if ((m = /^principalId\s+eq\s+'?([0-9a-f-]{32,36})'?$/i.exec(term)))
      out.principalId = normalizeGuid(m[1] ?? "");
    else if ((m = /^assignedTo\(\s*'([0-9a-f-]{32,36})'\s*\)$/i.exec(term)))
      out.principalId = normalizeGuid(m[1] ?? "");
    else if ((m = /^roleDefinitionId\s+eq\s+'([^']+)'$/i.exec(term)))
      out.roleDefinitionId = (m[1] ?? "").split("/").pop()?.toLowerCase();
    else {
      throw new Error(
        `The filter '${filter}' is not supported. Supported filters are either roleDefinitionId, principalId, atScope() or assignedTo('{value}'), optionally joined with 'and'.`,
      );
    }
  }
  return out;
}

function normalizeGuid(s: string): string {
  const hex = s.replace(/-/g, "").toLowerCase();
  return hex.length === 32
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    : s.toLowerCase();
}
