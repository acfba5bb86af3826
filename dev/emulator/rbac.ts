import { ArmError } from "./arm-error";
import { isAtOrAbove } from "./resource-id";
import { actionMatches, findRole, roleAllows } from "./roles";
import type { EmulatorState, RoleAssignmentRecord } from "./state";

/** What a role assignment write asks for, checked against delegation conditions. */
export interface AssignmentRequest {
  roleDefinitionGuid: string;
  principalType?: string;
}

const ASSIGNMENT_ACTIONS = new Set([
  "microsoft.authorization/roleassignments/write",
  "microsoft.authorization/roleassignments/delete",
]);

/**
 * Evaluates an ABAC condition (version 2.0) of the shape the delegation
 * conditions use: `@Request[…:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {g1, g2}`
 * and optionally `@Request[…:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}`.
 * Anything it cannot read denies, as an unmet condition would.
 */
export function conditionAllows(condition: string, request: AssignmentRequest): boolean {
  const roleClause = /RoleDefinitionId\]\s*ForAnyOfAnyValues:GuidEquals\s*\{([^}]*)\}/i.exec(condition);
  if (roleClause) {
    const allowed = (roleClause[1] ?? "").split(",").map((g) => g.trim().toLowerCase());
    if (!allowed.includes(request.roleDefinitionGuid.toLowerCase())) return false;
  }
  const typeClause = /PrincipalType\]\s*ForAnyOfAnyValues:StringEqualsIgnoreCase\s*\{([^}]*)\}/i.exec(condition);
  if (typeClause) {
    const allowed = (typeClause[1] ?? "").split(",").map((t) => t.trim().replace(/^'|'$/g, "").toLowerCase());
    if (!allowed.includes((request.principalType ?? "").toLowerCase())) return false;
  }
  return Boolean(roleClause || typeClause);
}

/**
 * A role's built-in condition of the shape `((!(ActionMatches{'A'})) OR (…))`:
 * actions other than A pass; A must meet the rest.
 */
export function roleConditionAllows(
  condition: string,
  action: string,
  request: AssignmentRequest | undefined,
): boolean {
  const guarded = /ActionMatches\{'([^']*)'\}/i.exec(condition)?.[1];
  if (guarded && !actionMatches(guarded, action)) return true;
  return request !== undefined && conditionAllows(condition, request);
}

function assignmentGrants(
  a: RoleAssignmentRecord,
  action: string,
  request: AssignmentRequest | undefined,
): "yes" | "no" | "condition" {
  const role = findRole(a.roleDefinitionId);
  if (!role || !roleAllows(role, action)) return "no";
  if (role.condition && !roleConditionAllows(role.condition, action, request)) return "condition";
  if (!ASSIGNMENT_ACTIONS.has(action.toLowerCase()) || !request) return "yes";
  if (a.condition && !roleConditionAllows(a.condition, action, request)) return "condition";
  return "yes";
}

/**
 * Throws ARM's 403 AuthorizationFailed unless one of the caller's role
 * assignments at the scope or above allows the action (and, for role
 * assignment writes, the delegation conditions are met).
 */
export function authorize(
  state: EmulatorState,
  callerOid: string,
  action: string,
  scope: string,
  request?: AssignmentRequest,
): void {
  let conditionFailed = false;
  for (const a of state.roleAssignments.ofPrincipal(callerOid)) {
    if (!isAtOrAbove(a.scope, scope)) continue;
    const verdict = assignmentGrants(a, action, request);
    if (verdict === "yes") return;
    if (verdict === "condition") conditionFailed = true;
  }
  const what = conditionFailed
    ? "does not have authorization or an ABAC condition not fulfilled to perform action"
    : "does not have authorization to perform action";
  throw new ArmError(
    403,
    "AuthorizationFailed",
    `The client '${callerOid}' with object id '${callerOid}' ${what} '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** The name of a role the caller holds at or above the scope that allows the action (for event evidence). */
export function grantingRoleName(
  state: EmulatorState,
  callerOid: string,
  action: string,
  scope: string,
): string | undefined {
  for (const a of state.roleAssignments.ofPrincipal(callerOid)) {
    if (!isAtOrAbove(a.scope, scope)) continue;
    const role = findRole(a.roleDefinitionId);
    if (role && roleAllows(role, action)) return role.roleName;
  }
  return undefined;
}

/** The action a request needs: `{provider}/{types…}/{read|write|delete|action}`. */
export function actionFor(method: string, resourceTypePath: string): string {
  const verb = method === "GET" ? "read" : method === "DELETE" ? "delete" : method === "POST" ? "action" : "write";
  return `${resourceTypePath}/${verb}`;
}
