import type { ArmConnection } from "./arm-connection";
import { armUrl, sendArmJson } from "./arm-request";
import { toStorageAccountView, type StorageAccountView } from "./views";

/** StorageAccounts_GetProperties api-version; networkAcls and allowSharedKeyAccess are in its properties. */
const STORAGE_API_VERSION = "2023-05-01";

/**
 * One storage account's network rules and shared-key setting, through the
 * connection's raw ARM client (same auth, retry and call counting as every
 * other request of the run).
 */
export async function getStorageAccount(
  arm: ArmConnection,
  storageAccountId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<StorageAccountView> {
  const response = await sendArmJson(
    arm.raw,
    "GET",
    armUrl(arm.endpoint, storageAccountId, STORAGE_API_VERSION),
    options,
  );
  return toStorageAccountView(response.body, storageAccountId);
}
