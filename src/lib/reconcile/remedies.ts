import { isReplicationDelay, isRetryable, type ArmErrorInfo } from "../azure/arm-error";

/** What failed, so the remedy can name the File Sync error (0x80c8305f, 0x80c86053, 0x80c86063, 403) that fits. */
export type FailureContext =
  | { kind: "observe" }
  | { kind: "enableServiceIdentity" }
  | { kind: "setUseIdentity" }
  | { kind: "grantService"; role: "account" | "share" }
  | { kind: "grantServer" }
  | { kind: "switchServer" };

/** One sentence an administrator can act on: the cause and fix of each failure. */
export function remedyFor(error: ArmErrorInfo, context: FailureContext): string {
  const code = error.code.toLowerCase();
  if (code === "authorizationfailed" || error.statusCode === 403) {
    return "The automation's own identity lacks permission (403 AuthorizationFailed): assign it Azure File Sync Administrator (92b92042-07d9-4307-87f7-36a593fc5850), or Role Based Access Control Administrator with the File Sync condition, on the service's and storage accounts' scopes, plus Reader on Arc machines and VMs.";
  }
  if (isReplicationDelay(error)) {
    return "The identity has not replicated in Microsoft Entra ID yet: re-run in a few minutes.";
  }
  if (isRetryable(error)) {
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
      return "The server could not be switched: check that its agent is online and its Arc connection or VM identity is healthy, then re-run.";
    case "enableServiceIdentity":
      return "The service's system-assigned identity could not be enabled: check the service's provisioning state, then re-run.";
    case "setUseIdentity":
      return "useIdentity could not be set: the service keeps using shared keys; re-run once its grants exist.";
    case "observe":
      return "The service could not be read: check the id and the automation's Reader access.";
  }
}
