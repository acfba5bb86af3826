/**
 * Swagger path templates compiled to regular expressions that match request
 * paths the way ARM routes them: literal segments case-insensitively, a
 * parameter as one segment, except `x-ms-skip-url-encoding` parameters that
 * stand before other segments (`{scope}`), which span any number of segments
 * including none (the root scope "/").
 */
export interface CompiledTemplate {
  template: string;
  regex: RegExp;
  params: string[];
  /** Parameters that span several segments; their values are returned with a leading "/". */
  spanning: Set<string>;
  literalSegments: number;
}

const ESCAPE = /[.*+?^${}()|[\]\\]/g;

export function compileTemplate(template: string, skipEncoded: ReadonlySet<string>): CompiledTemplate | undefined {
  const segments = template
    .split("?")[0]!
    .split("/")
    .filter((s) => s !== "");
  const params: string[] = [];
  const spanning = new Set<string>();
  let literalSegments = 0;
  let source = "^";
  segments.forEach((segment, index) => {
    const whole = /^\{([^}]+)\}$/.exec(segment);
    if (whole && skipEncoded.has(whole[1]!) && index < segments.length - 1) {
      params.push(whole[1]!);
      spanning.add(whole[1]!);
      source += "(?:/(.+))?";
      return;
    }
    if (!segment.includes("{")) literalSegments++;
    source +=
      "/" +
      segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const param = /^\{([^}]+)\}$/.exec(part);
          if (!param) return part.replace(ESCAPE, "\\$&");
          params.push(param[1]!);
          return "([^/]+)";
        })
        .join("");
  });
  // A template that is nothing but one parameter (`/{roleAssignmentId}`) is an
  // alias of a scoped template and would otherwise match every path.
  if (literalSegments === 0) return undefined;
  return { template, regex: new RegExp(source + "$", "i"), params, spanning, literalSegments };
}

/** Collapses the `//subscriptions/…` ARM SDKs produce for scopes, drops the query and a trailing slash. */
export function normalizeRequestPath(rawPath: string): string {
  const pathOnly = rawPath.split("?")[0]!.replace(/\/{2,}/g, "/");
  return pathOnly.length > 1 ? pathOnly.replace(/\/$/, "") : pathOnly;
}

export function matchTemplate(compiled: CompiledTemplate, normalizedPath: string): Record<string, string> | undefined {
  const found = compiled.regex.exec(normalizedPath);
  if (!found) return undefined;
  const values: Record<string, string> = {};
  compiled.params.forEach((name, i) => {
    const raw = found[i + 1] ?? "";
    const decoded = safeDecode(raw);
    values[name] = compiled.spanning.has(name) ? "/" + decoded : decoded;
  });
  return values;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
