import { ArmError } from "../arm-error";
import { isAtOrAbove } from "../resource-id";
import { requireSubscription } from "./arm-parents";
import { reply, type Handler } from "./types";

/**
 * Microsoft.Resources Subscriptions_Get (2022-12-01): `tenantId` is the Entra
 * tenant the subscription belongs to. ARM shows a subscription to any caller
 * holding a role assignment anywhere in it (or above it); others get 403.
 */
export const subscriptionHandlers: Record<string, Handler> = {
  Subscriptions_Get: (ctx) => {
    const { state } = ctx.core;
    const subscriptionId = ctx.params.subscriptionId ?? "";
    requireSubscription(state, subscriptionId);
    const sub = state.subscription(subscriptionId)!;
    const scope = `/subscriptions/${sub.subscriptionId}`;
    if (ctx.core.enforceRbac) {
      const caller = ctx.callerOid.toLowerCase();
      const holdsAny = [...state.roleAssignments.values()].some((a) => a.principalId.toLowerCase() === caller && (isAtOrAbove(a.scope, scope) || isAtOrAbove(scope, a.scope)));
      if (!holdsAny) {
        throw new ArmError(403, "AuthorizationFailed", `The client '${ctx.callerOid}' with object id '${ctx.callerOid}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '${scope}' or the scope is invalid.`);
      }
    }
    return reply(200, { id: scope, subscriptionId: sub.subscriptionId, tenantId: sub.tenantId, displayName: sub.displayName, state: "Enabled", authorizationSource: "RoleBased" });
  },
};
