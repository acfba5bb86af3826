/**
 * ASP.NET-style route templates as Functions uses them: literal segments
 * (case-insensitive), `{name}` parameters, optional `{name?}`, a constraint
 * `{name:guid}` (accepted, only `guid`, `int`, `alpha` and `bool` are checked),
 * and a trailing catch-all `{*rest}`.
 */

type Segment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string; optional: boolean; constraint?: string }
  | { kind: "catchAll"; name: string };

export interface RouteTemplate {
  template: string;
  /** Parameters for a matching path (without the /api prefix), or undefined. */
  match(path: string): Record<string, string> | undefined;
}

const CONSTRAINTS: Record<string, RegExp> = {
  guid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  int: /^-?\d+$/,
  alpha: /^[a-z]+$/i,
  bool: /^(true|false)$/i,
};

function parseSegment(text: string, isLast: boolean, template: string): Segment {
  const param = /^\{(\*)?([A-Za-z_][\w]*)(?::([A-Za-z]+)(?:\([^)]*\))?)?(\?)?\}$/.exec(text);
  if (!param) {
    if (/[{}]/.test(text))
      throw new Error(
        `route "${template}": segment "${text}" mixes text and parameters, which the local host does not support`,
      );
    return { kind: "literal", text: text.toLowerCase() };
  }
  const [, star, name = "", constraint, optional] = param;
  if (star) {
    if (!isLast) throw new Error(`route "${template}": catch-all {*${name}} must be the last segment`);
    return { kind: "catchAll", name };
  }
  return { kind: "param", name, optional: optional === "?", constraint: constraint?.toLowerCase() };
}

export function compileRoute(template: string): RouteTemplate {
  const parts = template.split("/").filter((p) => p !== "");
  const segments = parts.map((p, i) => parseSegment(p, i === parts.length - 1, template));
  return {
    template,
    match(path) {
      const pieces = path.split("/").filter((p) => p !== "");
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        const piece = pieces[i];
        if (!segment) return undefined;
        if (segment.kind === "catchAll") {
          params[segment.name] = pieces.slice(i).map(decodeURIComponent).join("/");
          return params;
        }
        if (piece === undefined) {
          // Only trailing optional parameters may be absent.
          return segments.slice(i).every((s) => s.kind === "param" && s.optional) ? params : undefined;
        }
        const value = decodeURIComponent(piece);
        if (segment.kind === "literal") {
          if (value.toLowerCase() !== segment.text) return undefined;
        } else {
          const check = segment.constraint ? CONSTRAINTS[segment.constraint] : undefined;
          if (check && !check.test(value)) return undefined;
          params[segment.name] = value;
        }
      }
      return pieces.length === segments.length ? params : undefined;
    },
  };
}
