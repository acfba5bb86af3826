import { isRestError } from "@azure/core-rest-pipeline";
import type { ArmConnection } from "./arm-connection";
import { toArmErrorInfo, type ArmErrorInfo } from "./arm-error";
import { getStorageSyncService } from "./storage-sync";

/**
 * ARM's "this does not exist" answers to a GET of a Storage Sync Service: the
 * service, its resource group or its subscription is deleted
 * (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-not-found).
 */
const NOT_FOUND_CODES = new Set(["resourcenotfound", "resourcegroupnotfound", "subscriptionnotfound"]);

/** True for an ARM error saying the resource (or its group or subscription) does not exist. */
export function isResourceDeleted(info: ArmErrorInfo): boolean {
  return info.statusCode === 404 && NOT_FOUND_CODES.has(info.code.toLowerCase());
}

/**
 * One GET of the service: undefined when it exists, ARM's error when ARM says
 * it does not; any other failure (403, 429 after retries, network) is thrown,
 * as it says nothing about whether the service exists.
 */
export async function storageSyncServiceDeletion(
  arm: ArmConnection,
  serviceId: string,
): Promise<ArmErrorInfo | undefined> {
  try {
    await getStorageSyncService(arm, serviceId);
    return undefined;
  } catch (error) {
    const info = toArmErrorInfo(error);
    if (isRestError(error) && isResourceDeleted(info)) return info;
    throw error;
  }
}
