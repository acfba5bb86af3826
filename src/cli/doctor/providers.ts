import { type ArmConnection, toArmErrorInfo, armUrl, listArmJson } from "../../lib/azure";
import { check, type Check } from "./check";

/**
 * Resource providers a subscription must have registered
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types):
 * File Sync for the services, Hybrid Compute for Arc-enabled servers' identities,
 * Event Grid for the system topic that tells the deployed app about writes.
 */
export const NEEDED_PROVIDERS: ReadonlyArray<{ namespace: string; why: string }> = [
  { namespace: "Microsoft.StorageSync", why: "Storage Sync Services" },
  { namespace: "Microsoft.HybridCompute", why: "Arc-enabled servers and their identities" },
  { namespace: "Microsoft.EventGrid", why: "the system topic that raises write events for the app" },
];

export async function checkProviders(arm: ArmConnection, subscriptions: string[]): Promise<Check[]> {
  const checks: Check[] = [];
  for (const sub of subscriptions) {
    let items: unknown[];
    try {
      items = await listArmJson(arm.raw, armUrl(arm.endpoint, `/subscriptions/${sub}/providers`, "2021-04-01"));
    } catch (error) {
      const info = toArmErrorInfo(error);
      checks.push(
        check("providers", "problem", `cannot list resource providers of subscription ${sub}`, {
          detail: `${info.code}: ${info.message}`,
          remedy: `assign Reader on /subscriptions/${sub} to the caller`,
          evidence: { requestId: info.requestId },
        }),
      );
      continue;
    }
    const states = new Map<string, string>();
    for (const item of items) {
      const o = item as { namespace?: unknown; registrationState?: unknown };
      if (typeof o.namespace === "string")
        states.set(
          o.namespace.toLowerCase(),
          typeof o.registrationState === "string" ? o.registrationState : "Unknown",
        );
    }
    for (const { namespace, why } of NEEDED_PROVIDERS) {
      const state = states.get(namespace.toLowerCase()) ?? "NotRegistered";
      checks.push(
        state.toLowerCase() === "registered"
          ? check("providers", "ok", `${namespace} is registered in subscription ${sub}`)
          : check("providers", "problem", `${namespace} is ${state} in subscription ${sub}`, {
              detail: `needed for ${why}`,
              remedy: `az provider register --namespace ${namespace} --subscription ${sub}`,
            }),
      );
    }
  }
  return checks;
}
