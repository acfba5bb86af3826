import {
  type ArmConnection,
  armUrl,
  listArmJson,
  toArmErrorInfo,
  parseResourceId,
  listStorageSyncServiceIds,
} from "../../lib/azure";
import { observe, plan, type EngineSettings, type Plan, type Snapshot } from "../../lib/reconcile";

/** One Storage Sync Service as `plan` sees it, plus its servers' raw 2022-09-01 bodies (agent lifecycle fields). */
export interface ServiceEstate {
  serviceId: string;
  subscriptionId: string;
  snapshot: Snapshot;
  plan: Plan;
  rawServers: unknown[];
}

export interface Estate {
  services: ServiceEstate[];
  /** Services that could not be read, with ARM's answer. */
  unreadable: Array<{ serviceId: string; code: string; message: string; requestId?: string }>;
  /** Every storage account behind a cloud endpoint, by id. */
  storageAccountIds: string[];
}

export type DoctorTarget = { serviceId: string } | { subscriptionId: string };

export async function serviceIdsOf(arm: ArmConnection, target: DoctorTarget): Promise<string[]> {
  if ("serviceId" in target) return [target.serviceId];
  return listStorageSyncServiceIds(arm, `/subscriptions/${target.subscriptionId}`);
}

/** Reads each service the way `plan` does (observe, then the pure plan): reads only. */
export async function readEstate(arm: ArmConnection, serviceIds: string[], settings: EngineSettings): Promise<Estate> {
  const estate: Estate = { services: [], unreadable: [], storageAccountIds: [] };
  const accounts = new Map<string, string>();
  for (const serviceId of serviceIds) {
    try {
      const snapshot = await observe(arm, serviceId, { settings });
      const rawServers = await listArmJson(
        arm.raw,
        armUrl(arm.endpoint, `${serviceId}/registeredServers`, "2022-09-01"),
      );
      const id = parseResourceId(serviceId);
      estate.services.push({
        serviceId,
        subscriptionId: id.subscriptionId,
        snapshot,
        plan: plan(snapshot, settings),
        rawServers,
      });
      for (const group of snapshot.syncGroups)
        for (const cloud of group.cloudEndpoints)
          if (cloud.storageAccountResourceId)
            accounts.set(cloud.storageAccountResourceId.toLowerCase(), cloud.storageAccountResourceId);
    } catch (error) {
      const info = toArmErrorInfo(error);
      estate.unreadable.push({
        serviceId,
        code: info.code,
        message: info.message,
        ...(info.requestId ? { requestId: info.requestId } : {}),
      });
    }
  }
  estate.storageAccountIds = [...accounts.values()];
  return estate;
}

/** Subscriptions in scope: the target's, the services' (readable or not) and the storage accounts'. */
export function subscriptionsInScope(estate: Estate, target: DoctorTarget): string[] {
  const ids = [
    ...("subscriptionId" in target ? [target.subscriptionId] : []),
    ...estate.services.map((s) => s.subscriptionId),
    ...estate.unreadable.map((u) => parseResourceId(u.serviceId).subscriptionId),
    ...estate.storageAccountIds.map((a) => parseResourceId(a).subscriptionId),
  ];
  return [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
}
