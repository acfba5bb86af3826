import { isWithinScopes, storageSyncServiceIdProblem } from "../azure";
import { apiError, type ApiResponse } from "./api-types";

export type IdCheck = { ok: true; serviceId: string } | { ok: false; response: ApiResponse };

/**
 * A Storage Sync Service id from a caller: exactly
 * /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.StorageSync/storageSyncServices/{name},
 * nothing before or after it (trailing slashes are dropped), with names ARM allows (no `.`/`..` segments), and inside
 * MANAGED_SCOPES (403 otherwise: the
 * app must not become a way to touch services it does not manage).
 */
export function checkServiceId(raw: unknown, scopes: string[], what = "serviceId"): IdCheck {
  // ARM ids copied from portals and scripts often end in "/": the same service, not a malformed id.
  const value = typeof raw === "string" ? raw.replace(/\/+$/, "") : raw;
  if (typeof value !== "string" || value.length === 0) {
    return {
      ok: false,
      response: apiError(400, "MissingServiceId", `${what} is required: a Storage Sync Service resource id`),
    };
  }
  const problem = value.length > 1024 ? "it is longer than 1024 characters" : storageSyncServiceIdProblem(value);
  if (problem) {
    return {
      ok: false,
      response: apiError(
        400,
        "InvalidServiceId",
        `${what} "${value.slice(0, 200)}" is not a Storage Sync Service resource id ARM accepts: ${problem}`,
      ),
    };
  }
  if (!isWithinScopes(value, scopes)) {
    return {
      ok: false,
      response: apiError(
        403,
        "OutsideScope",
        `${value} is outside the scopes this app manages (MANAGED_SCOPES: ${scopes.join(", ")})`,
      ),
    };
  }
  return { ok: true, serviceId: value };
}
