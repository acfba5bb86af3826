import { isRestError } from "@azure/core-rest-pipeline";
import type { ArmConnection } from "./arm-connection";
import { getStorageSyncService } from "./storage-sync";
import { getRegisteredServer } from "./reads";
import type { WriteRecord } from "../status/rows";

/** What a journaled write needs to be checked against ARM. */
export type JournaledWrite = Pick<WriteRecord, "kind" | "target" | "principalId">;

async function roleAssignmentExists(arm: ArmConnection, assignmentId: string): Promise<boolean> {
  const subscriptionId = /^\/?subscriptions\/([^/]+)/i.exec(assignmentId)?.[1];
  if (!subscriptionId) throw new Error(`"${assignmentId}" is not a role assignment id in a subscription`);
  try {
    await arm.authorization(subscriptionId).roleAssignments.getById(assignmentId);
    return true;
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return false;
    throw error;
  }
}

/**
 * Whether the effect of a write whose answer was never recorded (its attempt
 * was killed) is in ARM now: a grant's assignment exists under its
 * deterministic id (a deletion's reads 404), the service has a system
 * identity / useIdentity, the server uses its identity with that applicationId.
 */
export async function writeTookEffect(arm: ArmConnection, write: JournaledWrite): Promise<boolean> {
  switch (write.kind) {
    case "grantRole":
      return roleAssignmentExists(arm, write.target);
    case "deleteRoleAssignment":
      return !(await roleAssignmentExists(arm, write.target));
    case "enableServiceIdentity":
      return (await getStorageSyncService(arm, write.target)).identity.principalId !== undefined;
    case "setUseIdentity":
      return (await getStorageSyncService(arm, write.target)).useIdentity === true;
    case "switchServer":
    case "repairServer": {
      const server = await getRegisteredServer(arm, write.target);
      return server?.identity === true && (write.principalId === undefined || server.applicationId === write.principalId.toLowerCase());
    }
  }
}
