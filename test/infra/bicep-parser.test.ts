/** The Bicep tokenizer and parser the infra checks rely on. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "./bicep/ast";
import { BicepSyntaxError, tokenize } from "./bicep/lexer";
import { parseBicep } from "./bicep/parser";
import { BicepProject, literal, property, unwrap } from "./bicep/project";

describe("tokenize", () => {
  it("decodes escapes and keeps nested interpolations verbatim", () => {
    const tokens = tokenize("'it\\'s \\${x} \\\\ ${take('a-${b}', 4)}-${c}'");
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ kind: "string", text: "it's ${x} \\ ${take('a-${b}', 4)}-${c}", interpolated: true });
  });

  it("reads ''' strings without escapes, dropping the first newline", () => {
    const [token] = tokenize("'''\nline '1' \\n ${x}\n'''");
    expect(token).toMatchObject({ kind: "string", text: "line '1' \\n ${x}\n", interpolated: false });
  });

  it("skips comments and counts lines across them", () => {
    const tokens = tokenize("a // c\n/* b\n c */ d");
    expect(tokens.map((t) => [t.kind, t.text, t.line])).toEqual([
      ["ident", "a", 1],
      ["newline", "\n", 1],
      ["ident", "d", 3],
    ]);
  });

  it("reports the line of an unterminated string", () => {
    expect(() => tokenize("a\n'open")).toThrow(new BicepSyntaxError("unterminated string", 2));
    expect(() => tokenize("'a\nb'")).toThrow(BicepSyntaxError);
  });
});

describe("parseBicep", () => {
  const source = `
targetScope = 'subscription'
import { roles, other as renamed } from 'roles.bicep'

@secure()
@allowed([
  'a'
  'b'
])
param key string
param maybe string?
param count int = 3

var list = [for (x, i) in range(0, count): { name: 'n\${i}', v: x }]

resource parent 'Microsoft.Web/sites@2024-04-01' existing = if (count > 1) {
  name: 'site'
  resource child 'config' = {
    name: 'web'
  }
}

resource many 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for c in list: if (!empty(c.name)) {
    name: c.name
    properties: union({ publicAccess: 'None' }, c.extra)
  }
]

module m 'app/m.bicep' = {
  name: 'm'
  scope: subscription(key)
  params: { a: 1, b: [1, 2] }
}

output o array = [for x in list: x.name]
func double(v int) int => v * 2
`;
  const file = parseBicep(source);

  it("reads each statement", () => {
    expect(file.statements.map((s) => s.kind)).toEqual([
      "targetScope", "import", "param", "param", "param", "var", "resource", "resource", "module", "output", "other",
    ]);
  });

  it("keeps decorators, optional types and defaults", () => {
    const [, , key, maybe, count] = file.statements;
    expect(key).toMatchObject({ kind: "param", name: "key", type: "string", defaultValue: undefined });
    expect(key?.decorators.map((d) => d.name)).toEqual(["secure", "allowed"]);
    expect(key?.decorators[1]?.args[0]).toMatchObject({ kind: "array", items: [{ value: "a" }, { value: "b" }] });
    expect(maybe).toMatchObject({ type: "string?" });
    expect(count).toMatchObject({ defaultValue: { kind: "expr", text: "3" } });
  });

  it("reads conditional, looped, existing and nested resources", () => {
    const resources = BicepProject.fromText({ "inline.bicep": source }).resources();
    expect(resources.map((r) => [r.symbol, r.type, r.apiVersion, r.existing])).toEqual([
      ["parent", "Microsoft.Web/sites", "2024-04-01", true],
      ["child", "Microsoft.Web/sites/config", "2024-04-01", false],
      ["many", "Microsoft.Storage/storageAccounts/blobServices/containers", "2023-05-01", false],
    ]);
    const many = resources[2];
    expect(many?.declaration.body).toMatchObject({ kind: "for", header: "c in list", condition: "!empty(c.name)" });
    const props = property(many?.body, "properties");
    expect(props).toMatchObject({ kind: "expr", text: "union({ publicAccess: 'None' }, c.extra)" });
    expect(props?.kind === "expr" ? props.children[0] : undefined).toMatchObject({ kind: "object", properties: [{ key: "publicAccess" }] });
  });

  it("reads modules with single-line objects and arrays", () => {
    const module = file.statements[8];
    expect(module).toMatchObject({ kind: "module", symbol: "m", path: "app/m.bicep" });
    const params = property(module?.kind === "module" ? module.body : undefined, "params");
    expect(params).toMatchObject({ kind: "object", properties: [{ key: "a" }, { key: "b", value: { kind: "array" } }] });
    expect(property(module?.kind === "module" ? module.body : undefined, "scope")).toMatchObject({ text: "subscription(key)" });
  });

  it("names the line of a syntax error", () => {
    expect(() => parseBicep("var a = 1\nvar b = {\n  c 1\n}")).toThrow(/line 3: expected ':'/);
    expect(() => parseBicep("bogus x")).toThrow(/line 1: unknown statement 'bogus'/);
    expect(() => parseBicep("var a = 1 2 }")).toThrow(/expected the end of the statement/);
  });
});

describe("values round-trip", () => {
  type Plain = string | Plain[] | { [key: string]: Plain };

  const key = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), fc.string({ maxLength: 8 }));
  const text = fc.string({ unit: fc.constantFrom("a", "Z", "'", "\\", "$", "{", "}", "\n", "\t", " ", "é", "/", ":", ",") , maxLength: 12 });
  const plain: fc.Arbitrary<Plain> = fc.letrec<{ value: Plain }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      text,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    ),
  })).value;

  function print(v: Plain, indent: string, oneLine: boolean): string {
    if (typeof v === "string") {
      return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\$\{/g, "\\${")}'`;
    }
    const inner = indent + "  ";
    const sep = oneLine ? ", " : `\n${inner}`;
    const open = oneLine ? "" : `\n${inner}`;
    const close = oneLine ? "" : `\n${indent}`;
    if (Array.isArray(v)) return v.length === 0 ? "[]" : `[${open}${v.map((x) => print(x, inner, oneLine)).join(sep)}${close}]`;
    const entries = Object.entries(v);
    const printKey = (k: string) => (/^[A-Za-z_]\w*$/.test(k) ? k : print(k, inner, true));
    return entries.length === 0 ? "{}" : `{${open}${entries.map(([k, x]) => `${printKey(k)}: ${print(x, inner, oneLine)}`).join(sep)}${close}}`;
  }

  function toPlain(v: Value | undefined): Plain {
    const u = unwrap(v);
    if (u?.kind === "string") return literal(u) ?? "<interpolated>";
    if (u?.kind === "array") return u.items.map(toPlain);
    if (u?.kind === "object") return Object.fromEntries(u.properties.map((p) => [p.key, toPlain(p.value)]));
    throw new Error(`unexpected ${u?.kind}`);
  }

  it("parses what a printer writes, multi-line or single-line", () => {
    fc.assert(
      fc.property(plain, fc.boolean(), (value, oneLine) => {
        const parsed = parseBicep(`var x = ${print(value, "", oneLine)}\n`);
        const statement = parsed.statements[0];
        expect(toPlain(statement?.kind === "var" ? statement.value : undefined)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});
