import { conditionAllows, entriesAllowing, type PermissionEntry } from "./permission-set";
import { ASSIGNED_ROLES, type RequiredAction } from "./required-actions";

export interface MissingAction {
  required: RequiredAction;
  /**
   * "not granted": no entry allows it; "condition": allowed only under a condition that refuses the File Sync roles.
   */
  reason: "not granted" | "condition";
}

const ASSIGNMENT_WRITE = "microsoft.authorization/roleassignments/write";

/** The required actions these permissions do not allow (role assignment writes also for each role a run assigns). */
export function missingActions(entries: PermissionEntry[], required: RequiredAction[]): MissingAction[] {
  const missing: MissingAction[] = [];
  for (const r of required) {
    const allowing = entriesAllowing(entries, r.action);
    if (allowing.length === 0) {
      missing.push({ required: r, reason: "not granted" });
      continue;
    }
    if (r.action.toLowerCase() !== ASSIGNMENT_WRITE) continue;
    const passes = allowing.some(
      (e) =>
        e.condition === undefined ||
        ASSIGNED_ROLES.every((role) =>
          conditionAllows(e.condition as string, r.action, {
            roleDefinitionGuid: role,
            principalType: "ServicePrincipal",
          }),
        ),
    );
    if (!passes) missing.push({ required: r, reason: "condition" });
  }
  return missing;
}
