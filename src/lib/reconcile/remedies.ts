import { isReplicationDelay, isTransient, type ArmErrorInfo } from "../azure";

/** What failed, so the remedy can name the File Sync error (0x80c8305f, 0x80c86053, 0x80c86063, 403) that fits. */
export type FailureContext =
  | { kind: "observe" }
  | { kind: "enableServiceIdentity" }
  | { kind: "setUseIdentity" }
  | { kind: "grantService"; role: "account" | "share" }
  | { kind: "grantServer" }
  | { kind: "switchServer" }
  | { kind: "repairServer" }
  | { kind: "deleteRoleAssignment" };

export const CROSS_TENANT_REMEDY =
  "Azure File Sync does not support a storage account, Arc machine or VM identity in another Microsoft Entra tenant than the Storage Sync Service: move the resource (or the service) into one tenant; until then the server keeps its certificate and the storage account its shared keys.";

/** Remedy text for the engine's own read-back codes (a write ARM accepted but a GET does not show). */
const READ_BACK_REMEDIES: Record<string, string> = {
  useidentitynotconfirmed:
    "ARM accepted useIdentity: true but the service still reads false: the service keeps using shared keys and no server is switched; re-run, and check the service's provisioning state if it persists.",
  serveridentitynotconfirmed:
    "ARM accepted the switch but the registered server still reads identity: false: re-run; if it persists check that the agent is online (run `azcmagent show` on the server).",
  serverapplicationidmismatch:
    "The registered server reads back a different applicationId than requested: the service trusts another principal than the machine's identity; re-run, or repair it with Set-AzStorageSyncServer -Identity -ApplicationId <the machine's principal id>.",
};

/** One sentence an administrator can act on: the cause and fix of each failure. */
export function remedyFor(error: ArmErrorInfo, context: FailureContext): string {
  const code = error.code.toLowerCase();
  const readBack = READ_BACK_REMEDIES[code];
  if (readBack) return readBack;
  if (code === "invalidauthenticationtokentenant") return CROSS_TENANT_REMEDY;
  if (context.kind === "deleteRoleAssignment" && (code === "authorizationfailed" || error.statusCode === 403)) {
    return "The automation may create but not delete role assignments (Azure File Sync Administrator has no roleAssignments/delete): the stale grant is reported, not removed. Remove it yourself, or deploy with Role Based Access Control Administrator to let PRUNE_STALE_GRANTS remove it.";
  }
  if (code === "authorizationfailed" || error.statusCode === 403) {
    return "The automation's own identity lacks permission (403 AuthorizationFailed): assign it Azure File Sync Administrator (92b92042-07d9-4307-87f7-36a593fc5850), or Role Based Access Control Administrator with the File Sync condition, on the service's and storage accounts' scopes, plus Reader on Arc machines and VMs.";
  }
  if (isReplicationDelay(error)) {
    return "The identity has not replicated in Microsoft Entra ID yet: re-run in a few minutes.";
  }
  if (isTransient(error)) {
    return "ARM throttled the request or failed transiently: the run will be retried; re-run later if it persists.";
  }
  if (error.statusCode === 404) {
    return context.kind === "grantService" || context.kind === "grantServer"
      ? "The storage account or file share named by the cloud endpoint does not exist: fix or remove the cloud endpoint."
      : "The resource does not exist (deleted or wrong id): check the Storage Sync Service id.";
  }
  switch (context.kind) {
    case "grantService":
      return context.role === "account"
        ? "Without Storage Account Contributor on the storage account the service reports 0x80c8305f: grant it to the service identity."
        : "Without Storage File Data Privileged Contributor on the file share the service reports 0x80c86053: grant it to the service identity.";
    case "grantServer":
      return "Without Storage File Data Privileged Contributor on the share the server reports 0x80c86063 (HTTP 403): grant it to the server's identity; the server is not switched until then.";
    case "switchServer":
      return "The server could not be switched: check that its agent is online and its Arc connection or VM identity is healthy (run `azcmagent show` on the server), then re-run.";
    case "repairServer":
      return "The server's trust could not be repaired: check that the machine's identity is enabled and the agent online (run `azcmagent show` on the server), then re-run or run Set-AzStorageSyncServer -Identity -ApplicationId <the machine's principal id>.";
    case "deleteRoleAssignment":
      return "The stale role assignment could not be removed: re-run, or remove it yourself.";
    case "enableServiceIdentity":
      return "The service's system-assigned identity could not be enabled: check the service's provisioning state, then re-run.";
    case "setUseIdentity":
      return "useIdentity could not be set: the service keeps using shared keys; re-run once its grants exist.";
    case "observe":
      return "The service could not be read: check the id and the automation's Reader access.";
  }
}
