import { isRestError } from "@azure/core-rest-pipeline";
import type { ArmConnection } from "./arm-connection";
import { getMachine, type MachineIdentity } from "./machines";
import { storageSyncServiceIdOf } from "./resource-id";
import { getRegisteredServerById, listRegisteredServersOf, listStorageSyncServiceIds } from "./storage-sync";
import type { RegisteredServerView } from "./views";

/** Read helpers for the Functions app (events and activation checks). */

export type { RegisteredServerView } from "./views";

/** Ids of the Storage Sync Services in a scope (/subscriptions/x or /subscriptions/x/resourceGroups/y). */
export function listStorageSyncServices(arm: ArmConnection, scope: string): Promise<string[]> {
  return listStorageSyncServiceIds(arm, scope);
}

export function listRegisteredServers(arm: ArmConnection, serviceId: string): Promise<RegisteredServerView[]> {
  return listRegisteredServersOf(arm, serviceId);
}

function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

/** The registered server, or undefined when ARM answers 404. */
export async function getRegisteredServer(
  arm: ArmConnection,
  serverResourceId: string,
): Promise<RegisteredServerView | undefined> {
  const serviceId = storageSyncServiceIdOf(serverResourceId);
  if (!serviceId) throw new Error(`"${serverResourceId}" is not a registered server id`);
  try {
    return await getRegisteredServerById(arm, serverResourceId, serviceId);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** An Arc machine's or VM's system-assigned identity, or undefined when ARM answers 404. */
export async function getMachineIdentity(
  arm: ArmConnection,
  machineResourceId: string,
): Promise<MachineIdentity | undefined> {
  try {
    return await getMachine(arm, machineResourceId);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
