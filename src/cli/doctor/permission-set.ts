/**
 * Effective permissions as ARM states them (`Microsoft.Authorization/permissions`,
 * or a role definition's `permissions`): an action is allowed when one entry's
 * `actions` match it and the same entry's `notActions` do not
 * (https://learn.microsoft.com/azure/role-based-access-control/role-definitions#notactions).
 */
export interface PermissionEntry {
  actions: string[];
  notActions: string[];
  condition?: string;
}

/** ARM action matching: `*` wildcards, case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/** The entries that allow the action (empty: not allowed). */
export function entriesAllowing(entries: PermissionEntry[], action: string): PermissionEntry[] {
  return entries.filter(
    (e) => e.actions.some((a) => actionMatches(a, action)) && !e.notActions.some((a) => actionMatches(a, action)),
  );
}

/** What a role assignment write of this product asks for, as a condition sees it. */
export interface AssignmentRequest {
  roleDefinitionGuid: string;
  principalType: string;
}

/**
 * Whether an ABAC condition (version 2.0) of the delegation shape lets this
 * assignment write through: the block guarded by `ActionMatches{'…'}` for the
 * action must list the role (`GuidEquals {…}`) and, when it names principal
 * types, the principal type. A condition that does not guard the action lets
 * it through; one whose guarded block cannot be read counts as refusing
 * (https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples).
 */
export function conditionAllows(condition: string, action: string, request: AssignmentRequest): boolean {
  const blocks = condition.split(/(?=ActionMatches\{)/i).slice(1);
  const guarded = blocks.find((b) => {
    const pattern = /^ActionMatches\{'([^']*)'\}/i.exec(b)?.[1];
    return pattern !== undefined && actionMatches(pattern, action);
  });
  if (guarded === undefined) return true;
  const roles = /RoleDefinitionId\]\s*ForAnyOfAnyValues:GuidEquals\s*\{([^}]*)\}/i.exec(guarded)?.[1];
  if (roles === undefined) return false;
  const listed = roles.split(",").map((g) => g.trim().toLowerCase());
  if (!listed.includes(request.roleDefinitionGuid.toLowerCase())) return false;
  const types = /PrincipalType\]\s*ForAnyOfAnyValues:StringEqualsIgnoreCase\s*\{([^}]*)\}/i.exec(guarded)?.[1];
  if (types === undefined) return true;
  return types
    .split(",")
    .map((t) => t.trim().replace(/^'|'$/g, "").toLowerCase())
    .includes(request.principalType.toLowerCase());
}

/** Parses the `value` of a permissions list; anything malformed is skipped (conformance reports it). */
export function permissionEntriesOf(items: unknown[]): PermissionEntry[] {
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  return items.flatMap((item) => {
    if (typeof item !== "object" || item === null) return [];
    const o = item as Record<string, unknown>;
    return [
      {
        actions: strings(o.actions),
        notActions: strings(o.notActions),
        ...(typeof o.condition === "string" && o.condition !== "" ? { condition: o.condition } : {}),
      },
    ];
  });
}
