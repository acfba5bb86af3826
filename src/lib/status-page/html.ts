/**
 * A tagged template that escapes every interpolated value unless it is
 * already markup built by this module. Values from ARM and from the tables
 * (server names, reasons, error messages) are attacker-influenced text: with
 * this as the only way pages are built, none of them can become markup.
 */

const BRAND = Symbol("Html");

export interface Html {
  readonly [BRAND]: true;
  readonly text: string;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Text → HTML text safe in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

export function isHtml(value: unknown): value is Html {
  return typeof value === "object" && value !== null && (value as Partial<Html>)[BRAND] === true;
}

function trusted(text: string): Html {
  return { [BRAND]: true, text };
}

/** What may be interpolated: text (escaped), numbers, markup, lists of those; null/undefined/false render nothing. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (isHtml(value)) return value.text;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => (out += render(value) + (strings[i + 1] ?? "")));
  return trusted(out);
}

/** Joins markup fragments. */
export function join(parts: readonly HtmlValue[]): Html {
  return trusted(render(parts));
}
