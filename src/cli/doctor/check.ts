/** One line of the doctor's checklist. */
export type CheckStatus = "ok" | "warning" | "problem";

/** The six things the doctor looks at, in the order it prints them. */
export const CHECK_AREAS = ["who", "rights", "providers", "limits", "wiring", "conformance"] as const;
export type CheckArea = (typeof CHECK_AREAS)[number];

/** Where an answer came from, so a report can point at the exact ARM request. */
export interface Evidence {
  requestId?: string;
  method?: string;
  path?: string;
  field?: string;
  expected?: string;
}

export interface Check {
  area: CheckArea;
  status: CheckStatus;
  title: string;
  detail?: string;
  remedy?: string;
  evidence?: Evidence;
}

export function check(
  area: CheckArea,
  status: CheckStatus,
  title: string,
  more: Omit<Check, "area" | "status" | "title"> = {},
): Check {
  return { area, status, title, ...more };
}
