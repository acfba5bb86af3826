import { isRestError } from "@azure/core-rest-pipeline";
import type { ArmConnection } from "./arm-connection";
import { getStorageSyncService } from "./storage-sync";
import { getRegisteredServer } from "./reads";
import type { WriteKind } from "./write-kinds";

/** What a journaled write needs to be checked against ARM. */
export interface JournaledWrite {
  kind: WriteKind;
  /** The resource id written. */
  target: string;
  principalId?: string;
}

/** What ARM shows now of a write's target. */
export type TargetState =
  | { kind: "roleAssignment"; exists: boolean }
  | { kind: "service"; principalId?: string; useIdentity?: boolean }
  /** `exists: false`: the server is gone (404). */
  | { kind: "server"; exists: boolean; identity?: boolean; applicationId?: string };

/**
 * Whether the effect of a write whose answer was never recorded (its attempt
 * was killed) is in ARM now: a grant's assignment exists under its
 * deterministic id (a deletion's reads 404), the service has a system
 * identity / useIdentity, the server uses its identity with that applicationId.
 */
export function tookEffect(write: JournaledWrite, seen: TargetState): boolean {
  switch (write.kind) {
    case "grantRole":
      return seen.kind === "roleAssignment" && seen.exists;
    case "deleteRoleAssignment":
      return seen.kind === "roleAssignment" && !seen.exists;
    case "enableServiceIdentity":
      return seen.kind === "service" && !!seen.principalId;
    case "setUseIdentity":
      return seen.kind === "service" && seen.useIdentity === true;
    case "switchServer":
    case "repairServer":
      return (
        seen.kind === "server" &&
        seen.exists &&
        seen.identity === true &&
        (write.principalId === undefined || seen.applicationId?.toLowerCase() === write.principalId.toLowerCase())
      );
  }
}

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

/** One ARM read of the write's target. */
async function readTarget(arm: ArmConnection, write: JournaledWrite): Promise<TargetState> {
  switch (write.kind) {
    case "grantRole":
    case "deleteRoleAssignment":
      return { kind: "roleAssignment", exists: await roleAssignmentExists(arm, write.target) };
    case "enableServiceIdentity":
    case "setUseIdentity": {
      const service = await getStorageSyncService(arm, write.target);
      return { kind: "service", principalId: service.identity.principalId, useIdentity: service.useIdentity };
    }
    case "switchServer":
    case "repairServer": {
      const server = await getRegisteredServer(arm, write.target);
      return {
        kind: "server",
        exists: server !== undefined,
        identity: server?.identity,
        applicationId: server?.applicationId,
      };
    }
  }
}

export async function writeTookEffect(arm: ArmConnection, write: JournaledWrite): Promise<boolean> {
  return tookEffect(write, await readTarget(arm, write));
}
