import { isRestError } from "@azure/core-rest-pipeline";
import { v5 as uuidv5 } from "uuid";
import type { ArmConnection } from "./arm-connection";
import { toArmErrorInfo } from "./arm-error";
import { withAttemptLog } from "./attempt-log";
import { normalizeGuid } from "./guid";
import { isSameOrDescendantScope, lastSegment, normalizeResourceId, parseResourceId } from "./resource-id";

/**
 * The two built-in roles File Sync needs on storage accounts and file shares, as Set-AzStorageSyncServiceIdentity
 * (Azure/azure-powershell, src/StorageSync) grants them.
 */
export const ROLE = {
  storageAccountContributor: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
  storageFileDataPrivilegedContributor: "69566ab7-960f-475b-8e7c-b3118f30c6bd",
} as const;

export type RoleDefinitionGuid = (typeof ROLE)[keyof typeof ROLE];

export const ROLE_NAMES: Record<RoleDefinitionGuid, string> = {
  [ROLE.storageAccountContributor]: "Storage Account Contributor",
  [ROLE.storageFileDataPrivilegedContributor]: "Storage File Data Privileged Contributor",
};

/** Fixed namespace for assignment names, so the same grant always gets the same name. */
const ASSIGNMENT_NAMESPACE = "3c1d4f52-8f0e-5b8a-9d55-6a1e0f7b2c41";

/**
 * Deterministic role assignment name: a name-based (v5) UUID of scope,
 * principal and role. A repeated or concurrent grant then targets the same
 * assignment instead of creating a duplicate under a random name.
 */
export function roleAssignmentName(scope: string, principalId: string, roleDefinitionGuid: string): string {
  const key = [normalizeResourceId(scope), principalId, roleDefinitionGuid].join("|").toLowerCase();
  return uuidv5(key, ASSIGNMENT_NAMESPACE);
}

export interface RoleAssignmentView {
  id: string;
  scope: string;
  principalId: string;
  roleDefinitionGuid: string;
  /** As ARM lists it; `Unknown` for an assignment whose principal was deleted ("Identity not found"). */
  principalType?: string;
  /**
   * The scope it was listed at, when it lies above that scope: that scope
   * inherits it even where the ids cannot show it (a management group's id
   * does not say which subscriptions it holds; the root "/").
   */
  inheritedBy?: string;
}

/** An assignment's scope; a root-scope one may come back with an empty scope, so its id decides. */
function assignmentScope(assignment: { scope?: string; id?: string }): string | undefined {
  if (assignment.scope) return normalizeResourceId(assignment.scope);
  const marker = assignment.id?.toLowerCase().indexOf("/providers/microsoft.authorization/roleassignments/") ?? -1;
  return marker >= 0 ? normalizeResourceId((assignment.id as string).slice(0, marker)) : undefined;
}

/**
 * Assignments at, above or below a scope: of every principal (no filter), or
 * of one (`principalId eq`). ARM answers both at, above and below the scope
 * (https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope),
 * so one unfiltered list per storage account covers the account, all its
 * shares and inherited assignments for every principal a run looks at.
 */
export async function listRoleAssignmentsAt(
  arm: ArmConnection,
  scope: string,
  options: { principalId?: string; abortSignal?: AbortSignal } = {},
): Promise<RoleAssignmentView[]> {
  const client = arm.authorization(parseResourceId(scope).subscriptionId);
  const found: RoleAssignmentView[] = [];
  for await (const assignment of client.roleAssignments.listForScope(scope, {
    ...(options.principalId ? { filter: `principalId eq '${options.principalId}'` } : {}),
    abortSignal: options.abortSignal,
  })) {
    const principal = normalizeGuid(assignment.principalId);
    const role = normalizeGuid(lastSegment(assignment.roleDefinitionId ?? ""));
    const at = assignmentScope(assignment);
    if (!principal || !role || at === undefined) continue;
    // ARM returns assignments at, above or below the scope: one not at or below it is above it.
    const inheritedBy = isSameOrDescendantScope(at, scope) ? undefined : normalizeResourceId(scope);
    found.push({
      id: assignment.id ?? "",
      scope: at,
      principalId: principal,
      roleDefinitionGuid: role,
      ...(assignment.principalType ? { principalType: assignment.principalType } : {}),
      ...(inheritedBy ? { inheritedBy } : {}),
    });
  }
  return found;
}

/** Assignments of one principal at, above or below a scope. */
export function listRoleAssignmentsForPrincipal(
  arm: ArmConnection,
  scope: string,
  principalId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<RoleAssignmentView[]> {
  return listRoleAssignmentsAt(arm, scope, { principalId, abortSignal: options.abortSignal });
}

/** An assignment's name: the last segment of its id. */
export function assignmentNameOf(assignment: Pick<RoleAssignmentView, "id">): string {
  return lastSegment(assignment.id).toLowerCase();
}

/**
 * True when this product created the assignment: its name is the deterministic one for its scope, principal and role.
 */
export function isProductAssignment(
  assignment: Pick<RoleAssignmentView, "id" | "scope" | "principalId" | "roleDefinitionGuid">,
): boolean {
  return (
    assignmentNameOf(assignment) ===
    roleAssignmentName(assignment.scope, assignment.principalId, assignment.roleDefinitionGuid)
  );
}

/**
 * The write's `x-ms-client-request-id`; the SDK's retries keep it (setClientRequestIdPolicy sets one only when absent).
 */
const clientRequestHeader = (id: string | undefined) =>
  id ? { customHeaders: { "x-ms-client-request-id": id } } : undefined;

/** Deletes one assignment by its id; an assignment already gone (404, or 204 with no body) counts as deleted. */
export async function deleteRoleAssignmentById(
  arm: ArmConnection,
  assignmentId: string,
  options: { abortSignal?: AbortSignal; clientRequestId?: string } = {},
): Promise<{ requestId?: string; alreadyGone: boolean }> {
  let requestId: string | undefined;
  try {
    // An assignment id nests a provider inside a resource id; only its subscription matters here.
    const subscriptionId = /^\/?subscriptions\/([^/]+)/i.exec(assignmentId)?.[1];
    if (!subscriptionId) throw new Error(`"${assignmentId}" is not a role assignment id in a subscription`);
    await arm.authorization(subscriptionId).roleAssignments.deleteById(assignmentId, {
      abortSignal: options.abortSignal,
      requestOptions: clientRequestHeader(options.clientRequestId),
      onResponse: (response) => {
        requestId = response.headers.get("x-ms-request-id") ?? undefined;
      },
    });
  } catch (error) {
    if (!(isRestError(error) && error.statusCode === 404)) throw error;
    return { requestId: error.response?.headers.get("x-ms-request-id") ?? requestId, alreadyGone: true };
  }
  return { requestId, alreadyGone: requestId === undefined };
}

export interface CreateRoleAssignmentResult {
  /**
   * "alreadyPresent" when the write changed nothing: ARM answered 409
   * RoleAssignmentExists (the grant exists under another name), or 200 for an
   * identical assignment that was already there (the 2022-04-01 spec's 200
   * beside 201 for a new one). A 200 after an attempt of this call went
   * unanswered is "created": ARM may have applied that attempt under the same
   * client request id, and the repeat found its own work.
   */
  status: "created" | "alreadyPresent";
  name: string;
  requestId?: string;
}

/**
 * Creates the assignment in the scope's own subscription with
 * principalType ServicePrincipal (ARM then skips the directory look-up that
 * fails while a new identity replicates).
 */
export async function createRoleAssignment(
  arm: ArmConnection,
  grant: { scope: string; principalId: string; roleDefinitionGuid: string },
  options: { abortSignal?: AbortSignal; clientRequestId?: string } = {},
): Promise<CreateRoleAssignmentResult> {
  const subscriptionId = parseResourceId(grant.scope).subscriptionId;
  const name = roleAssignmentName(grant.scope, grant.principalId, grant.roleDefinitionGuid);
  let requestId: string | undefined;
  let status: number | undefined;
  try {
    const { log } = await withAttemptLog(() =>
      arm.authorization(subscriptionId).roleAssignments.create(
        grant.scope,
        name,
        {
          roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${grant.roleDefinitionGuid}`,
          principalId: grant.principalId,
          principalType: "ServicePrincipal",
        },
        {
          abortSignal: options.abortSignal,
          requestOptions: clientRequestHeader(options.clientRequestId),
          onResponse: (response) => {
            requestId = response.headers.get("x-ms-request-id") ?? undefined;
            status = response.status;
          },
        },
      ),
    );
    const unchanged = status === 200 && log.unanswered === 0;
    return { status: unchanged ? "alreadyPresent" : "created", name, requestId };
  } catch (error) {
    // The typed client leaves RestError.code unset; the ARM code is in the body.
    if (isRestError(error) && error.statusCode === 409 && toArmErrorInfo(error).code === "RoleAssignmentExists") {
      return { status: "alreadyPresent", name, requestId: error.response?.headers.get("x-ms-request-id") ?? requestId };
    }
    throw error;
  }
}
