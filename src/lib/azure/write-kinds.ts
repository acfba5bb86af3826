/** The ARM writes the engine makes (and journals). */
export const WRITE_KINDS = [
  "grantRole",
  "deleteRoleAssignment",
  "enableServiceIdentity",
  "setUseIdentity",
  "switchServer",
  "repairServer",
] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];
