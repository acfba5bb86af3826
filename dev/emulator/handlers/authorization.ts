import { ArmError, badRequest } from "../arm-error";
import { authorize } from "../rbac";
import { idKey, isAtOrAboveKey, normalizePath } from "../resource-id";
import { BUILT_IN_ROLES, findRole, roleDefinitionBody } from "../roles";
import type { RoleAssignmentRecord } from "../state";
import { ROLE_ASSIGNMENTS_PER_SUBSCRIPTION } from "../limits";
import { parseRoleAssignmentFilter, type RoleAssignmentFilter } from "./role-assignment-filter";
import { requireScope } from "./scope";
import { listReply, objectProp, reply, stringProp, type Handler, type HandlerContext } from "./types";

/** Microsoft.Authorization 2022-04-01: role assignments and built-in role definitions. */

export function roleAssignmentBody(a: RoleAssignmentRecord): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      roleDefinitionId: a.roleDefinitionId,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: a.condition ?? null,
      conditionVersion: a.conditionVersion ?? null,
      createdOn: a.createdOn,
      updatedOn: a.updatedOn,
      createdBy: a.createdBy,
      updatedBy: a.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: a.description ?? null,
    },
  };
}

const scopeOf = (ctx: HandlerContext): string => normalizePath(ctx.params.scope ?? "/");

const assignmentId = (scope: string, name: string): string =>
  `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;

function principalNotFound(principalId: string, tenantId: string): ArmError {
  return badRequest(
    "PrincipalNotFound",
    `Principal ${principalId.replace(/-/g, "")} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  );
}

function createAssignment(ctx: HandlerContext) {
  const { state, clock } = ctx.core;
  const scope = scopeOf(ctx);
  const name = ctx.params.roleAssignmentName ?? "";
  const p = objectProp(ctx.body, "properties") ?? {};
  const roleDefinitionId = stringProp(p, "roleDefinitionId") ?? "";
  const principalId = stringProp(p, "principalId") ?? "";
  const principalType = stringProp(p, "principalType");
  const roleGuid = roleDefinitionId.split("/").pop()?.toLowerCase() ?? "";
  if (ctx.core.enforceRbac)
    authorize(state, ctx.callerOid, "Microsoft.Authorization/roleAssignments/write", scope, {
      roleDefinitionGuid: roleGuid,
      principalType,
    });
  requireScope(state, scope);
  const bodyScope = stringProp(p, "scope");
  if (bodyScope !== undefined && idKey(bodyScope) !== idKey(scope)) {
    throw badRequest(
      "InvalidCreateRoleAssignmentRequest",
      `The request to create role assignment '${name}' is not valid. Role assignment scope '${bodyScope}' must match the scope specified on the URI '${scope}'.`,
    );
  }
  const role = findRole(roleGuid);
  if (!role)
    throw badRequest(
      "RoleDefinitionDoesNotExist",
      `The specified role definition with ID '${roleGuid}' does not exist.`,
    );
  // A subscription-qualified role definition id must name the scope's own subscription (assign in the resource's
  // subscription).
  const roleSubscription = /^\/subscriptions\/([^/]+)\//i.exec(roleDefinitionId)?.[1];
  const scopeSubscription = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
  if (roleSubscription && scopeSubscription && roleSubscription.toLowerCase() !== scopeSubscription.toLowerCase()) {
    throw badRequest(
      "RoleDefinitionDoesNotExist",
      `The specified role definition with ID '${roleGuid}' does not exist in subscription '${scopeSubscription}' (the role definition id names subscription '${roleSubscription}').`,
    );
  }

  const principal = state.principal(principalId);
  // A principal of another Entra tenant is not in this directory at all: no principalType and no wait makes it appear.
  const directory = state.tenantOfScope(scope);
  if (principal && (principal.tenantId ?? state.tenantId).toLowerCase() !== directory.toLowerCase())
    throw principalNotFound(principalId, directory);
  if (!principalType) {
    const replicated = principal && clock.now() - principal.createdAtMs >= ctx.core.delays.principalReplicationMs;
    if (!replicated) throw principalNotFound(principalId, directory);
  } else if (
    principal &&
    principal.type.toLowerCase() !== principalType.toLowerCase() &&
    clock.now() - principal.createdAtMs >= ctx.core.delays.principalReplicationMs
  ) {
    throw badRequest(
      "UnmatchedPrincipalType",
      `The PrincipalId '${principalId.replace(/-/g, "")}' has type '${principal.type}' , which is different from specified PrincipalType '${principalType}'.`,
    );
  }

  const id = assignmentId(scope, name);
  const existing = state.roleAssignments.get(idKey(id));
  const sameContent = (a: RoleAssignmentRecord): boolean =>
    a.principalId.toLowerCase() === principalId.toLowerCase() &&
    a.roleDefinitionId.split("/").pop()?.toLowerCase() === roleGuid &&
    idKey(a.scope) === idKey(scope);
  if (existing) {
    if (sameContent(existing)) return reply(200, roleAssignmentBody(existing));
    throw badRequest(
      "RoleAssignmentUpdateNotPermitted",
      "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
    );
  }
  for (const a of state.roleAssignments.ofPrincipal(principalId)) {
    if (sameContent(a)) throw new ArmError(409, "RoleAssignmentExists", "The role assignment already exists.");
  }
  refuseBeyondLimit(ctx, scope);
  const now = clock.nowIso();
  const record: RoleAssignmentRecord = {
    id,
    name,
    scope,
    roleDefinitionId,
    principalId,
    principalType: principalType ?? principal?.type ?? "ServicePrincipal",
    condition: stringProp(p, "condition"),
    conditionVersion: stringProp(p, "conditionVersion") ?? (stringProp(p, "condition") ? "2.0" : undefined),
    description: stringProp(p, "description"),
    createdOn: now,
    updatedOn: now,
    createdBy: ctx.callerOid,
    updatedBy: ctx.callerOid,
  };
  state.roleAssignments.set(idKey(id), record);
  return reply(201, roleAssignmentBody(record), [{ resourceUri: id, method: "PUT" }]);
}

/**
 * Azure's 4,000 role assignments per subscription: counted at subscription,
 * resource-group and resource scope, conditional and orphaned ones included;
 * management-group and root scopes are not (they have their own limit). 400,
 * as for every other refusal of the request's content (the status is not documented).
 */
function refuseBeyondLimit(ctx: HandlerContext, scope: string): void {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
  if (!subscriptionId) return;
  const limit =
    ctx.core.state.subscriptions.get(subscriptionId.toLowerCase())?.roleAssignmentLimit ??
    ROLE_ASSIGNMENTS_PER_SUBSCRIPTION;
  const count = ctx.core.state.roleAssignments.countInSubscription(subscriptionId);
  if (count >= limit) {
    throw badRequest(
      "RoleAssignmentLimitExceeded",
      `No more role assignments can be created. The subscription '${subscriptionId}' has ${count} role assignments, the limit is ${limit}.`,
    );
  }
}

function findAssignment(ctx: HandlerContext): RoleAssignmentRecord | undefined {
  return ctx.core.state.roleAssignments.get(idKey(assignmentId(scopeOf(ctx), ctx.params.roleAssignmentName ?? "")));
}

function listAssignments(ctx: HandlerContext) {
  const scope = requireScope(ctx.core.state, scopeOf(ctx));
  let filter: RoleAssignmentFilter;
  try {
    filter = parseRoleAssignmentFilter(ctx.query.get("$filter") ?? undefined);
  } catch (e) {
    throw badRequest("InvalidFilterInQueryString", (e as Error).message);
  }
  const store = ctx.core.state.roleAssignments;
  const scopeKey = idKey(scope);
  // A principal's filter reads only that principal's assignments (the store's index), not the whole tenant's.
  const matches = store.scoped(filter.principalId).flatMap(({ record: a, scopeKey: at }) => {
    const above = isAtOrAboveKey(at, scopeKey);
    const below = isAtOrAboveKey(scopeKey, at);
    if (filter.atScope ? !above : !(above || below)) return [];
    if (filter.principalId && a.principalId.toLowerCase() !== filter.principalId) return [];
    if (filter.roleDefinitionId && a.roleDefinitionId.split("/").pop()?.toLowerCase() !== filter.roleDefinitionId)
      return [];
    return [a];
  });
  return listReply(matches.map(roleAssignmentBody));
}

export const authorizationHandlers: Record<string, Handler> = {
  RoleAssignments_Create: createAssignment,
  RoleAssignments_Get: (ctx) => {
    requireScope(ctx.core.state, scopeOf(ctx));
    const a = findAssignment(ctx);
    if (!a)
      throw new ArmError(
        404,
        "RoleAssignmentNotFound",
        `The role assignment '${ctx.params.roleAssignmentName}' is not found.`,
      );
    return reply(200, roleAssignmentBody(a));
  },
  RoleAssignments_Delete: (ctx) => {
    const a = findAssignment(ctx);
    if (ctx.core.enforceRbac) {
      const roleGuid = a?.roleDefinitionId.split("/").pop() ?? "";
      authorize(ctx.core.state, ctx.callerOid, "Microsoft.Authorization/roleAssignments/delete", scopeOf(ctx), {
        roleDefinitionGuid: roleGuid,
        principalType: a?.principalType,
      });
    }
    if (!a) return reply(204);
    ctx.core.state.roleAssignments.delete(idKey(a.id));
    return reply(200, roleAssignmentBody(a), [{ resourceUri: a.id, method: "DELETE" }]);
  },
  RoleAssignments_ListForScope: listAssignments,
  RoleAssignments_ListForSubscription: listAssignments,
  RoleAssignments_ListForResourceGroup: listAssignments,
  RoleAssignments_ListForResource: listAssignments,

  RoleDefinitions_Get: (ctx) => {
    const scope = requireScope(ctx.core.state, scopeOf(ctx));
    const role = findRole(ctx.params.roleDefinitionId ?? "");
    if (!role)
      throw new ArmError(
        404,
        "RoleDefinitionDoesNotExist",
        `The role definition '${ctx.params.roleDefinitionId}' could not be found.`,
      );
    return reply(200, roleDefinitionBody(role, scope));
  },
  RoleDefinitions_List: (ctx) => {
    const scope = requireScope(ctx.core.state, scopeOf(ctx));
    const filter = ctx.query.get("$filter") ?? "";
    const byName = /roleName\s+eq\s+'([^']*)'/i.exec(filter)?.[1]?.toLowerCase();
    const roles = BUILT_IN_ROLES.filter((r) => !byName || r.roleName.toLowerCase() === byName);
    return listReply(roles.map((r) => roleDefinitionBody(r, scope)));
  },
};
