import {
  isReplicationDelay,
  toArmErrorInfo,
  createRoleAssignment,
  deleteRoleAssignmentById,
  roleAssignmentName,
  listRoleAssignmentsForPrincipal,
  getRegisteredServerById,
  getStorageSyncService,
  patchRegisteredServerIdentity,
  patchStorageSyncService,
} from "../azure";
import type {
  DeleteRoleAssignmentAction,
  EnableServiceIdentityAction,
  GrantRoleAction,
  RepairServerAction,
  SetUseIdentityAction,
  SwitchServerAction,
} from "./actions";
import { ActionFailure, journaled, NotPermitted, type ApplyContext, type Executed } from "./apply-context";
import { coversGrant } from "./plan";

/** No single back-off step waits longer than this, however many retries are configured. */
const MAX_PRINCIPAL_NOT_FOUND_DELAY_MS = 60_000;

/**
 * Turns on the service's managed identity, reads the service back and keeps its new principal for the grants that
 * follow.
 */
export async function enableServiceIdentity(ctx: ApplyContext, action: EnableServiceIdentityAction): Promise<Executed> {
  const { arm, call } = ctx;
  const write = await journaled(
    ctx,
    { actionId: action.id, kind: action.kind, method: "PATCH", target: action.serviceId },
    (clientRequestId) =>
      patchStorageSyncService(
        arm,
        action.serviceId,
        {
          identity: { identityType: action.toType, userAssignedIdentityIds: action.userAssignedIdentityIds },
          useIdentity: action.useIdentity,
        },
        { ...call, clientRequestId },
      ),
  );
  const service = await getStorageSyncService(arm, action.serviceId, call);
  ctx.result.service = service;
  if (!service.identity.principalId) {
    throw new ActionFailure(
      `Enabling the system-assigned identity of ${service.name} returned no principalId (identity type ${service.identity.type})`,
      "NoPrincipalId",
    );
  }
  ctx.servicePrincipalId = service.identity.principalId;
  return { status: "succeeded", attempts: 1, requestId: write.requestId };
}

/**
 * Creates one role assignment, waiting out PrincipalNotFound (a new identity
 * not yet replicated in Microsoft Entra ID) with bounded exponential
 * back-off. Each attempt takes a slot; the back-off sleep does not hold one.
 * `tries.count` says how many attempts were made, also when it fails.
 */
export async function grantWithBackOff(
  ctx: ApplyContext,
  action: GrantRoleAction,
  tries: { count: number },
): Promise<Executed> {
  const { settings } = ctx;
  const principalId =
    action.principal.kind === "service"
      ? (action.principal.principalId ?? ctx.servicePrincipalId)
      : action.principal.principalId;
  if (!principalId) throw new ActionFailure("The service identity has no principal id to grant", "NoPrincipalId");
  for (let attempt = 1; ; attempt++) {
    tries.count = attempt;
    try {
      const created = await ctx.limit(() => grant(ctx, action, principalId));
      return {
        status: created.status === "created" ? "succeeded" : "alreadyPresent",
        attempts: attempt,
        requestId: created.requestId,
      };
    } catch (error) {
      const info = toArmErrorInfo(error);
      if (!isReplicationDelay(info) || attempt > settings.principalNotFoundRetries) throw error;
      const delay = Math.min(
        settings.principalNotFoundBaseDelayMs * 2 ** (attempt - 1),
        MAX_PRINCIPAL_NOT_FOUND_DELAY_MS,
      );
      ctx.progress(
        `${action.description}: principal not replicated yet, retry ${attempt}/${settings.principalNotFoundRetries} in ${delay} ms`,
      );
      await sleep(delay, ctx.signal);
    }
  }
}

function grant(ctx: ApplyContext, action: GrantRoleAction, principalId: string) {
  return putGrant(ctx, action.id, { scope: action.scope, principalId, roleDefinitionGuid: action.roleDefinitionGuid });
}

/** One journaled role-assignment PUT under its deterministic name. */
function putGrant(
  ctx: ApplyContext,
  actionId: string,
  grant: { scope: string; principalId: string; roleDefinitionGuid: string },
) {
  const target = `${grant.scope}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(grant.scope, grant.principalId, grant.roleDefinitionGuid)}`;
  return journaled(
    ctx,
    { actionId, kind: "grantRole", method: "PUT", target, ...grant },
    (clientRequestId) => createRoleAssignment(ctx.arm, grant, { ...ctx.call, clientRequestId }),
    (r) => r.status === "alreadyPresent",
  );
}

/**
 * Right before a server is switched, its principal's grants are read again
 * (one list per storage account), and one that is missing is made now
 * (journaled like any grant): the run's read may be seconds old, and a grant
 * deleted since then would leave the switched server without access to its share.
 */
async function proveGrants(ctx: ApplyContext, action: SwitchServerAction | RepairServerAction): Promise<void> {
  const grants = action.grants ?? [];
  for (const account of new Set(grants.map((g) => g.storageAccountId.toLowerCase()))) {
    const held = await listRoleAssignmentsForPrincipal(ctx.arm, account, action.principalId, ctx.call);
    for (const needed of grants.filter((g) => g.storageAccountId.toLowerCase() === account)) {
      if (coversGrant(held, action.principalId, needed)) continue;
      ctx.progress(
        `${action.description}: a grant on ${needed.scope} is missing right before the switch; granting it first`,
      );
      await putGrant(ctx, action.id, {
        scope: needed.scope,
        principalId: action.principalId,
        roleDefinitionGuid: needed.roleDefinitionGuid,
      });
    }
  }
}

/** Sets useIdentity on the service and confirms it reads back true. */
export async function setUseIdentity(ctx: ApplyContext, action: SetUseIdentityAction): Promise<Executed> {
  const { arm, call } = ctx;
  const write = await journaled(
    ctx,
    { actionId: action.id, kind: action.kind, method: "PATCH", target: action.serviceId },
    (clientRequestId) =>
      patchStorageSyncService(arm, action.serviceId, { useIdentity: true }, { ...call, clientRequestId }),
  );
  ctx.result.service = await getStorageSyncService(arm, action.serviceId, call);
  if (!ctx.result.service.useIdentity) {
    throw new ActionFailure(
      `ARM accepted useIdentity: true for ${ctx.result.service.name}, but it reads back false`,
      "UseIdentityNotConfirmed",
    );
  }
  return { status: "succeeded", attempts: 1, requestId: write.requestId };
}

/**
 * Switches a server onto its managed identity, or repairs one whose machine
 * got a new identity, and confirms the read-back names the principal asked for.
 */
export async function switchOrRepairServer(
  ctx: ApplyContext,
  action: SwitchServerAction | RepairServerAction,
): Promise<Executed> {
  const { arm, call } = ctx;
  await proveGrants(ctx, action);
  // Both name the principal this run granted (as Set-AzStorageSyncServer -Identity does). A bare
  // identity:true adopts whatever the agent reports at that moment: an identity reset between
  // this run's read and its switch would move the server onto a principal nobody granted.
  const write = await journaled(
    ctx,
    {
      actionId: action.id,
      kind: action.kind,
      method: "PATCH",
      target: action.serverResourceId,
      principalId: action.principalId,
    },
    (clientRequestId) =>
      patchRegisteredServerIdentity(arm, action.serverResourceId, {
        ...call,
        clientRequestId,
        applicationId: action.principalId,
      }),
  );
  const readBack = await getRegisteredServerById(arm, action.serverResourceId, ctx.plan.serviceId, call);
  if (readBack.identity !== true) {
    throw new ActionFailure(
      `ARM accepted the switch of ${action.serverName}, but it reads back identity: ${String(readBack.identity ?? false)}`,
      "ServerIdentityNotConfirmed",
    );
  }
  if (readBack.applicationId !== action.principalId.toLowerCase()) {
    throw new ActionFailure(
      `${action.serverName} reads back applicationId ${readBack.applicationId ?? "(none)"} instead of the requested ${action.principalId}`,
      "ServerApplicationIdMismatch",
    );
  }
  ctx.result.switchedServers.set(action.serverId, readBack);
  return { status: "succeeded", attempts: 1, requestId: write.requestId };
}

/**
 * Deletes a stale grant; a 403 (the automation may not delete assignments) becomes NotPermitted, reported rather than
 * failed.
 */
export async function deleteGrant(ctx: ApplyContext, action: DeleteRoleAssignmentAction): Promise<Executed> {
  try {
    const deleted = await journaled(
      ctx,
      {
        actionId: action.id,
        kind: "deleteRoleAssignment",
        method: "DELETE",
        target: action.assignmentId,
        principalId: action.principalId,
        roleDefinitionGuid: action.roleDefinitionGuid,
        scope: action.scope,
      },
      (clientRequestId) => deleteRoleAssignmentById(ctx.arm, action.assignmentId, { ...ctx.call, clientRequestId }),
      (r) => r.alreadyGone,
    );
    return { status: "succeeded", attempts: 1, requestId: deleted.requestId };
  } catch (error) {
    const info = toArmErrorInfo(error);
    if (info.statusCode === 403) {
      throw new NotPermitted(
        `reported, not removed: the automation may not delete role assignments (${info.code}; Azure File Sync Administrator has no Microsoft.Authorization/roleAssignments/delete)`,
      );
    }
    throw error;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
