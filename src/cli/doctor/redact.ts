import { GUID_SOURCE } from "../../lib/azure";

/**
 * Makes a report safe to attach to a public bug report: every GUID and every
 * resource name of the estate (subscription, resource group, resource and
 * host names, and the extra names given) is replaced, consistently: the same
 * original always gets the same stand-in, so the report still shows which
 * pieces are the same. Azure's public constants (built-in role ids) stay.
 */
const GUID_ANYWHERE = new RegExp(GUID_SOURCE, "gi");
const ARM_ID = /\/subscriptions\/[^\s'"`,;)]+/gi;
const URL_HOST = /https:\/\/([a-z0-9.-]+)/gi;
/** Segments of ARM ids that are fixed words, not names. */
const NOT_NAMES = new Set(["default", "subscriptions", "resourcegroups", "providers"]);

function namesInArmId(id: string): string[] {
  const segments = id.split("/").filter((s) => s !== "");
  const names: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = (segments[i] as string).toLowerCase();
    const next = segments[i + 1];
    if (next === undefined) break;
    if (segment === "subscriptions") {
      i++;
      continue;
    }
    if (segment === "resourcegroups") {
      names.push(next);
      i++;
      continue;
    }
    if (segment === "providers") {
      i++; // the namespace
      // type/name pairs follow until the next "providers"
      for (let j = i + 1; j + 1 < segments.length && (segments[j] as string).toLowerCase() !== "providers"; j += 2)
        names.push(segments[j + 1] as string);
    }
  }
  return names.filter(
    (n) => !NOT_NAMES.has(n.toLowerCase()) && !new RegExp(`^${GUID_SOURCE}$`, "i").test(n) && !n.includes("."),
  );
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      collectStrings(v, out);
    }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class Redactor {
  private readonly guids = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private pattern: RegExp | undefined;

  constructor(
    value: unknown,
    extraNames: string[],
    private readonly keep: ReadonlySet<string> = new Set(),
  ) {
    const strings: string[] = [];
    collectStrings(value, strings);
    const found = new Set<string>(extraNames.filter((n) => n.trim() !== ""));
    for (const s of strings) {
      for (const id of s.match(ARM_ID) ?? []) for (const n of namesInArmId(id)) found.add(n);
      for (const m of s.matchAll(URL_HOST)) if (m[1]) found.add(m[1]);
    }
    const byLength = [...found].sort((a, b) => b.length - a.length);
    for (const n of byLength)
      if (!this.names.has(n.toLowerCase())) this.names.set(n.toLowerCase(), `name-${this.names.size + 1}`);
    if (byLength.length > 0)
      this.pattern = new RegExp(`(?<![A-Za-z0-9_-])(${byLength.map(escape).join("|")})(?![A-Za-z0-9_-])`, "gi");
  }

  private guid(g: string): string {
    const key = g.toLowerCase();
    if (this.keep.has(key)) return g;
    let stand = this.guids.get(key);
    if (!stand) {
      stand = `00000000-0000-4000-8000-${String(this.guids.size + 1).padStart(12, "0")}`;
      this.guids.set(key, stand);
    }
    return stand;
  }

  text(s: string): string {
    const withoutGuids = s.replace(GUID_ANYWHERE, (g) => this.guid(g));
    return this.pattern
      ? withoutGuids.replace(this.pattern, (n) => this.names.get(n.toLowerCase()) ?? n)
      : withoutGuids;
  }

  apply<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return this.text(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}
