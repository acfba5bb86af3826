import { ArmError, notFound } from "../arm-error";
import { normalizePath, parseScope } from "../resource-id";
import type { EmulatorState } from "../state";

/**
 * Checks that a scope names something that exists, answering ARM's 404 for
 * the first missing level (subscription, resource group, resource).
 */
export function requireScope(state: EmulatorState, scope: string): string {
  const normalized = normalizePath(scope.startsWith("/") ? scope : "/" + scope);
  if (normalized === "/") return "/";
  const parsed = parseScope(normalized);
  if (!parsed.subscriptionId) {
    if (/^\/providers\/Microsoft\.Management\/managementGroups\//i.test(normalized)) {
      throw new ArmError(
        404,
        "ManagementGroupNotFound",
        `The management group for scope '${normalized}' could not be found.`,
      );
    }
    throw new ArmError(400, "InvalidScope", `The scope '${normalized}' is not valid.`);
  }
  if (!state.subscription(parsed.subscriptionId))
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${parsed.subscriptionId}' could not be found.`);
  if (parsed.resourceGroup && !state.resourceGroup(parsed.subscriptionId, parsed.resourceGroup)) {
    throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${parsed.resourceGroup}' could not be found.`);
  }
  if (parsed.resourcePath && !state.exists(normalized)) throw notFound(parsed.resourcePath, parsed.resourceGroup);
  return normalized;
}
