import { isTransientArmError, toArmErrorInfo, type ArmErrorInfo } from "../azure";
import { remedyFor } from "./remedies";

/**
 * A run that could not even observe (404 service, 403 on reads, ARM down).
 * `transient` tells the app whether to retry the request (429/5xx/network)
 * or record it as terminal (400/403/404).
 */
export class ReconcileError extends Error {
  readonly arm: ArmErrorInfo;
  readonly transient: boolean;
  readonly remedy?: string;

  constructor(message: string, cause: unknown) {
    const arm = toArmErrorInfo(cause);
    super(
      `${message}: ${arm.code}${arm.statusCode ? ` (HTTP ${arm.statusCode})` : ""}: ${arm.message}${arm.requestId ? ` [request ${arm.requestId}]` : ""}`,
      {
        cause,
      },
    );
    this.name = "ReconcileError";
    this.arm = arm;
    this.transient = isTransientArmError(cause);
    this.remedy = remedyFor(arm, { kind: "observe" });
  }
}

export { isTransientArmError };
