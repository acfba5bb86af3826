import type { RepairServerAction, ServerGrant, SwitchServerAction } from "./actions";
import type { ServerClassification } from "./eligibility";
import type { ServerVerdict } from "./report";
import type { Snapshot } from "./snapshot";

/** The id of a server's repair action (outcomes and dependent deletions refer to it). */
export const repairActionId = (serverId: string): string => `repair:${serverId}`;

/**
 * The switch (or, after a machine identity change, the repair) of every
 * eligible server, each after its own grants and useIdentity — the documented
 * order. A re-sent switch names its likely cause in the verdict (changed in place).
 */
export function serverWrites(
  snapshot: Snapshot,
  classifications: Map<string, ServerClassification>,
  servers: ServerVerdict[],
  ctx: { grantIdsByServer: Map<string, string[]>; grantsByServer: Map<string, ServerGrant[]>; setUseIdentity: boolean },
): Array<SwitchServerAction | RepairServerAction> {
  const { grantIdsByServer, setUseIdentity } = ctx;
  const writes: Array<SwitchServerAction | RepairServerAction> = [];
  for (const server of snapshot.servers) {
    const c = classifications.get(server.serverId);
    if (c?.state !== "Eligible" || !c.principalId) continue;
    const verdict = servers.find((v) => v.serverId === server.serverId) as ServerVerdict;
    if (verdict.state !== "Eligible") continue; // blocked above
    // The documented order: a server is switched only once useIdentity is true (or set by this run).
    if (!snapshot.service.useIdentity && !setUseIdentity) {
      verdict.reason = `Not switched yet: useIdentity is not set on ${snapshot.service.name} (see the service's warnings), and a server is switched only after it.`;
      continue;
    }
    const dependsOn = [
      ...(grantIdsByServer.get(server.serverId) ?? []),
      ...(setUseIdentity ? ["set-use-identity"] : []),
    ];
    if (c.repairFrom !== undefined) {
      const repair: RepairServerAction = {
        id: repairActionId(server.serverId),
        kind: "repairServer",
        dependsOn,
        description: `Repair server ${server.name}: trust its machine's new identity ${c.principalId} instead of ${c.repairFrom} (PATCH identity + applicationId, as Set-AzStorageSyncServer -Identity) once the new identity's grants exist`,
        serverId: server.serverId,
        serverResourceId: server.resourceId,
        serverName: server.name,
        principalId: c.principalId,
        previousPrincipalId: c.repairFrom,
        grants: ctx.grantsByServer.get(server.serverId) ?? [],
      };
      writes.push(repair);
      continue;
    }
    if (c.resend) {
      const missing = grantIdsByServer.get(server.serverId)?.length ?? 0;
      const arc = snapshot.arcStatuses?.[server.serverId];
      const arcDown = arc?.status !== undefined && arc.status.toLowerCase() !== "connected";
      const causes = [
        ...(arcDown ? [`its Arc machine ${arc.machineId} is ${arc.status}: run \`azcmagent show\` on the server`] : []),
        ...(server.serverManagementErrorCode
          ? [
              `the server reports error ${server.serverManagementErrorCode}${server.serverManagementErrorCode === "0x80c86063" ? " (no Storage File Data Privileged Contributor on a share)" : ""}`,
            ]
          : []),
        ...(missing > 0 ? [`${missing} of its grants were missing (granted again now)`] : []),
      ];
      verdict.reason = `Still on Certificate after the activation window: the switch is sent again. Likely cause: ${causes.length > 0 ? causes.join("; ") : "the agent has not picked the switch up (its Arc machine Disconnected or Expired, or the agent offline)"}.`;
      verdict.remedy =
        "Run `azcmagent show` on the server (its Arc agent must be Connected and its identity enabled), check the File Sync agent is at least MIN_AGENT_VERSION and can reach Azure; the grants are re-checked on every run.";
    }
    const action: SwitchServerAction = {
      id: `switch:${server.serverId}`,
      kind: "switchServer",
      dependsOn,
      description: `${c.resend ? "Send the switch again to" : "Switch"} server ${server.name} ${c.resend ? "for" : "to its managed identity"} ${c.principalId} once its own grants exist and useIdentity is true`,
      serverId: server.serverId,
      serverResourceId: server.resourceId,
      serverName: server.name,
      principalId: c.principalId,
      grants: ctx.grantsByServer.get(server.serverId) ?? [],
      ...(c.resend ? { resend: true } : {}),
    };
    writes.push(action);
  }
  return writes;
}
