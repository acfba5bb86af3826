import { ArmError, notFound } from "../arm-error";
import { idKey } from "../resource-id";
import type { EmulatorState, ResourceGroupRecord, ServiceRecord, SyncGroupRecord } from "../state";
import type { LongRunningWrite, Reply } from "./types";

/** ARM's 404s for a missing subscription or resource group, checked before the resource itself. */
export function requireResourceGroup(
  state: EmulatorState,
  subscriptionId: string,
  resourceGroup: string,
): ResourceGroupRecord {
  requireSubscription(state, subscriptionId);
  const rg = state.resourceGroup(subscriptionId, resourceGroup);
  if (!rg) throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`);
  return rg;
}

export function requireSubscription(state: EmulatorState, subscriptionId: string): void {
  if (!state.subscription(subscriptionId))
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
}

export function serviceIdOf(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.StorageSync/storageSyncServices/${p.storageSyncServiceName}`;
}

export function requireService(state: EmulatorState, p: Record<string, string>): ServiceRecord {
  requireResourceGroup(state, p.subscriptionId ?? "", p.resourceGroupName ?? "");
  const svc = state.services.get(idKey(serviceIdOf(p)));
  if (!svc)
    throw notFound(`Microsoft.StorageSync/storageSyncServices/${p.storageSyncServiceName}`, p.resourceGroupName);
  return svc;
}

export function requireSyncGroup(state: EmulatorState, p: Record<string, string>): SyncGroupRecord {
  const svc = requireService(state, p);
  const sg = state.syncGroups.get(idKey(`${svc.id}/syncGroups/${p.syncGroupName}`));
  if (!sg)
    throw notFound(
      `Microsoft.StorageSync/storageSyncServices/${p.storageSyncServiceName}/syncGroups/${p.syncGroupName}`,
      p.resourceGroupName,
    );
  return sg;
}

/** A long-running Storage Sync write: its status URLs live in the service's subscription and location. */
export function serviceLro(svc: ServiceRecord, resourceId: string, apply: () => Reply): LongRunningWrite {
  return { kind: "lro", resourceId, subscriptionId: svc.subscriptionId, location: svc.location, apply };
}
