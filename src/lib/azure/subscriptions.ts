import type { ArmConnection } from "./arm-connection";
import { armUrl, sendArmJson } from "./arm-request";
import { normalizeGuid } from "./guid";

/** Subscriptions_Get: the subscription's Entra tenant. */
export async function getSubscriptionTenant(
  arm: ArmConnection,
  subscriptionId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<string | undefined> {
  const response = await sendArmJson(
    arm.raw,
    "GET",
    armUrl(arm.endpoint, `/subscriptions/${subscriptionId}`, "2022-12-01"),
    options,
  );
  const body = response.body as { tenantId?: unknown } | undefined;
  return normalizeGuid(body?.tenantId);
}
