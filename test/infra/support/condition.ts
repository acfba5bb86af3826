/**
 * Reads an Azure ABAC condition (version 2.0) far enough to check what it
 * allows: the actions it constrains, and the GUID and string sets each
 * attribute is compared with.
 */
export interface ConditionFacts {
  /** Actions named in ActionMatches{...}. */
  actions: string[];
  /** attribute (e.g. `@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]`) → values compared with. */
  comparisons: { attribute: string; operator: string; values: string[] }[];
}

export function readCondition(text: string): ConditionFacts {
  const actions = [...text.matchAll(/ActionMatches\s*\{\s*'([^']+)'\s*\}/g)].map((m) => m[1] as string);
  const comparisons = [
    ...text.matchAll(/(@(?:Request|Resource)\[[^\]]+\])\s+([A-Za-z]+:[A-Za-z]+)\s*\{([^}]*)\}/g),
  ].map((m) => ({
    attribute: m[1] as string,
    operator: m[2] as string,
    values: (m[3] as string)
      .split(",")
      .map((v) => v.trim().replace(/^'(.*)'$/, "$1"))
      .filter((v) => v.length > 0),
  }));
  return { actions, comparisons };
}
