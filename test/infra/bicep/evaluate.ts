/**
 * Evaluates Bicep expressions that depend only on parameters and variables
 * (string manipulation, lambdas, ternaries, object and array literals), so the
 * checks can run main.bicep's scope and topic logic on sample inputs. Deployment
 * functions (`subscription()`, `uniqueString()`, ...) come from the caller.
 */
import { createHash } from "node:crypto";
import type { Value } from "./ast";
import { tokenize, type Token } from "./lexer";
import type { BicepProject } from "./project";

export type BicepData = string | number | boolean | null | BicepData[] | { [key: string]: BicepData } | BicepLambda;
export interface BicepLambda {
  lambda: (...args: BicepData[]) => BicepData;
}

export type Lookup = (name: string) => BicepData | undefined;

export class EvaluationError extends Error {}

/** Evaluates one Bicep expression; free names are looked up with `lookup`. */
export function evaluateExpression(text: string, lookup: Lookup, functions: Functions = {}): BicepData {
  return new ExpressionParser(tokenize(text), lookup, { ...BUILT_INS, ...functions }).parseAll();
}

export type Functions = Record<string, (...args: BicepData[]) => BicepData>;

/** Evaluates a parsed value (object, array, string or expression). */
export function evaluateValue(value: Value, lookup: Lookup, functions: Functions = {}): BicepData {
  switch (value.kind) {
    case "object":
      return Object.fromEntries(value.properties.map((p) => [p.key, evaluateValue(p.value, lookup, functions)]));
    case "array":
      return value.items.map((item) => evaluateValue(item, lookup, functions));
    case "string":
      return new ExpressionParser([], lookup, { ...BUILT_INS, ...functions }).interpolate(value.value, value.interpolated);
    case "expr":
      return evaluateExpression(value.text, lookup, functions);
    default:
      throw new EvaluationError(`cannot evaluate a ${value.kind} value`);
  }
}

/**
 * Looks names up in one file of a project: the given parameter values, else parameter
 * defaults, else variables (also imported ones), each evaluated once.
 */
export function fileEvaluator(project: BicepProject, path: string, params: Record<string, BicepData>, functions: Functions = {}) {
  const cache = new Map<string, BicepData>();
  const lookup: Lookup = (name) => {
    if (Object.prototype.hasOwnProperty.call(params, name)) return params[name];
    if (cache.has(name)) return cache.get(name);
    const param = project.statements(path, "param").find((p) => p.name === name);
    const variable = param ? undefined : project.findVar(path, name);
    let value: BicepData | undefined;
    if (param?.defaultValue) value = evaluateValue(param.defaultValue, lookup, functions);
    else if (variable) {
      const scope = variable.path === path ? lookup : fileEvaluator(project, variable.path, {}, functions).lookup;
      value = evaluateValue(variable.decl.value, scope, functions);
    }
    if (value !== undefined) cache.set(name, value);
    return value;
  };
  return { lookup, evaluate: (text: string) => evaluateExpression(text, lookup, functions) };
}

const isLambda = (v: BicepData): v is BicepLambda => typeof v === "object" && v !== null && !Array.isArray(v) && "lambda" in v;

function asArray(v: BicepData, fn: string): BicepData[] {
  if (!Array.isArray(v)) throw new EvaluationError(`${fn}: expected an array`);
  return v;
}
function asString(v: BicepData, fn: string): string {
  if (typeof v !== "string") throw new EvaluationError(`${fn}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}
function call(f: BicepData, ...args: BicepData[]): BicepData {
  if (!isLambda(f)) throw new EvaluationError("expected a lambda");
  return f.lambda(...args);
}
function equal(a: BicepData, b: BicepData): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** ARM's functions, as far as the templates use them. */
const BUILT_INS: Record<string, (...args: BicepData[]) => BicepData> = {
  split: (s, sep) => asString(s, "split").split(asString(sep, "split")),
  join: (a, sep) => asArray(a, "join").map((x) => asString(x, "join")).join(asString(sep, "join")),
  trim: (s) => asString(s, "trim").trim(),
  toLower: (s) => asString(s, "toLower").toLowerCase(),
  toUpper: (s) => asString(s, "toUpper").toUpperCase(),
  empty: (v) => v === null || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && !isLambda(v) && Object.keys(v as object).length === 0),
  length: (v) => (typeof v === "string" || Array.isArray(v) ? v.length : Object.keys(v as object).length),
  endsWith: (s, x) => asString(s, "endsWith").endsWith(asString(x, "endsWith")),
  startsWith: (s, x) => asString(s, "startsWith").startsWith(asString(x, "startsWith")),
  substring: (s, start, len) => asString(s, "substring").substr(start as number, len as number),
  take: (v, n) => (typeof v === "string" ? v.slice(0, n as number) : asArray(v, "take").slice(0, n as number)),
  last: (v) => (typeof v === "string" ? v.slice(-1) : (asArray(v, "last").at(-1) ?? null)),
  first: (v) => (typeof v === "string" ? v.slice(0, 1) : (asArray(v, "first")[0] ?? null)),
  indexOf: (a, x) => asArray(a, "indexOf").findIndex((y) => equal(y, x)),
  contains: (c, x) =>
    typeof c === "string" ? c.includes(asString(x, "contains")) : Array.isArray(c) ? c.some((y) => equal(y, x)) : Object.prototype.hasOwnProperty.call(c, asString(x, "contains")),
  concat: (...parts) => (parts.every(Array.isArray) ? parts.flatMap((p) => p as BicepData[]) : parts.map((p) => asString(p, "concat")).join("")),
  // ARM: arrays are merged keeping the first of equal elements; objects are merged, later keys win.
  union: (...parts) =>
    parts.every(Array.isArray)
      ? parts.flatMap((p) => p as BicepData[]).filter((x, i, all) => all.findIndex((y) => equal(x, y)) === i)
      : Object.assign({}, ...(parts as object[])),
  map: (a, f) => asArray(a, "map").map((x, i) => call(f, x, i)),
  filter: (a, f) => asArray(a, "filter").filter((x, i) => call(f, x, i) === true),
  toObject: (a, key, value) =>
    Object.fromEntries(asArray(a, "toObject").map((x) => [asString(call(key, x), "toObject"), value === undefined ? x : call(value, x)])),
  uniqueString: (...parts) => createHash("sha256").update(parts.map((p) => asString(p, "uniqueString")).join("|")).digest("hex").slice(0, 13),
  string: (v) => (typeof v === "string" ? v : JSON.stringify(v)),
};

const BINARY_PRECEDENCE: Record<string, number> = {
  "??": 1, "||": 2, "&&": 3, "==": 4, "!=": 4, "=~": 4, "!~": 4, "<": 5, ">": 5, "<=": 5, ">=": 5, "+": 6, "-": 6, "*": 7, "/": 7, "%": 7,
};

class ExpressionParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly lookup: Lookup,
    private readonly functions: Record<string, (...args: BicepData[]) => BicepData>,
    private readonly locals: Map<string, BicepData> = new Map(),
  ) {}

  parseAll(): BicepData {
    this.skipNewlines();
    const value = this.expression();
    this.skipNewlines();
    if (this.peek()) throw new EvaluationError(`unexpected '${this.peek()?.text}'`);
    return value;
  }

  // Expressions are evaluated while parsing; a lambda captures its body's tokens and re-parses them per call.
  private expression(): BicepData {
    const lambda = this.tryLambda();
    if (lambda) return lambda;
    const condition = this.binary(0);
    if (!this.acceptPunct("?")) return condition;
    this.skipNewlines();
    const start = this.pos;
    this.skipExpression();
    const whenTrueEnd = this.pos;
    this.expectPunct(":");
    this.skipNewlines();
    const elseStart = this.pos;
    this.skipExpression();
    const elseEnd = this.pos;
    // Only the branch taken is evaluated, as ARM's if() does.
    return condition === true ? this.sub(start, whenTrueEnd) : this.sub(elseStart, elseEnd);
  }

  private tryLambda(): BicepLambda | undefined {
    const params: string[] = [];
    const at = (i: number) => this.tokens[i];
    let p = this.pos;
    if (at(p)?.kind === "ident" && this.isPunct(at(p + 1), "=>")) {
      params.push(at(p)?.text as string);
      p += 2;
    } else if (this.isPunct(at(p), "(")) {
      // (a, b) => ...: names separated by commas, then ')' and '=>'.
      let q = p + 1;
      for (;;) {
        const name = at(q);
        if (name?.kind !== "ident") return undefined;
        params.push(name.text);
        if (this.isPunct(at(q + 1), ",")) q += 2;
        else if (this.isPunct(at(q + 1), ")")) break;
        else return undefined;
      }
      if (!this.isPunct(at(q + 2), "=>")) return undefined;
      p = q + 3;
    } else {
      return undefined;
    }
    this.pos = p;
    const start = this.pos;
    this.skipExpression();
    const body = this.tokens.slice(start, this.pos);
    return {
      lambda: (...args) => {
        const locals = new Map(this.locals);
        params.forEach((name, i) => locals.set(name, args[i] ?? null));
        return new ExpressionParser(body, this.lookup, this.functions, locals).parseAll();
      },
    };
  }

  private sub(start: number, end: number): BicepData {
    return new ExpressionParser(this.tokens.slice(start, end), this.lookup, this.functions, this.locals).parseAll();
  }

  /** Moves past one expression without evaluating it (up to a separator at depth 0). */
  private skipExpression(): void {
    let depth = 0;
    let ternaries = 0;
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.kind === "punct" && "([{".includes(t.text)) depth++;
      if (t.kind === "punct" && ")]}".includes(t.text)) {
        if (depth === 0) return;
        depth--;
      }
      const punct = t.kind === "punct" ? t.text : "";
      if (depth === 0 && (t.kind === "newline" || punct === ",")) return;
      if (depth === 0 && punct === "?") ternaries++;
      if (depth === 0 && punct === ":") {
        if (ternaries === 0) return;
        ternaries--;
      }
      this.pos++;
    }
  }

  private binary(minPrecedence: number): BicepData {
    let left = this.unary();
    for (;;) {
      const op = this.peek();
      const precedence = op?.kind === "punct" ? BINARY_PRECEDENCE[op.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.pos++;
      this.skipNewlines();
      const right = this.binary(precedence + 1);
      left = applyBinary(op?.text as string, left, right);
    }
  }

  private unary(): BicepData {
    if (this.acceptPunct("!")) return !this.unary();
    if (this.acceptPunct("-")) return -(this.unary() as number);
    return this.postfix(this.primary());
  }

  private postfix(value: BicepData): BicepData {
    for (;;) {
      if (this.acceptPunct(".") || this.acceptPunct(".?")) {
        const name = this.next().text;
        value = value === null || typeof value !== "object" || Array.isArray(value) ? null : ((value as Record<string, BicepData>)[name] ?? null);
      } else if (this.acceptPunct("[")) {
        const safe = this.acceptPunct("?");
        const index = this.expression();
        this.expectPunct("]");
        const found = Array.isArray(value) ? value[index as number] : (value as Record<string, BicepData> | null)?.[index as string];
        if (found === undefined && !safe) throw new EvaluationError(`no element ${JSON.stringify(index)}`);
        value = found ?? null;
      } else {
        return value;
      }
    }
  }

  private primary(): BicepData {
    const t = this.next();
    if (t.kind === "string") return this.interpolate(t.text, t.interpolated);
    if (t.kind === "number") return Number(t.text);
    if (t.kind === "punct" && t.text === "(") {
      this.skipNewlines();
      const value = this.expression();
      this.skipNewlines();
      this.expectPunct(")");
      return value;
    }
    if (t.kind === "punct" && t.text === "[") return this.arrayLiteral();
    if (t.kind === "punct" && t.text === "{") return this.objectLiteral();
    if (t.kind !== "ident") throw new EvaluationError(`unexpected '${t.text}'`);
    if (t.text === "true" || t.text === "false") return t.text === "true";
    if (t.text === "null") return null;
    if (this.acceptPunct("(")) {
      const args: BicepData[] = [];
      for (;;) {
        this.skipSeparators();
        if (this.acceptPunct(")")) break;
        args.push(this.expression());
      }
      const fn = this.functions[t.text];
      if (!fn) throw new EvaluationError(`unknown function ${t.text}()`);
      return fn(...args);
    }
    if (this.locals.has(t.text)) return this.locals.get(t.text) as BicepData;
    const found = this.lookup(t.text);
    if (found === undefined) throw new EvaluationError(`unknown name ${t.text}`);
    return found;
  }

  private arrayLiteral(): BicepData[] {
    const items: BicepData[] = [];
    for (;;) {
      this.skipSeparators();
      if (this.acceptPunct("]")) return items;
      items.push(this.expression());
    }
  }

  private objectLiteral(): { [key: string]: BicepData } {
    const object: { [key: string]: BicepData } = {};
    for (;;) {
      this.skipSeparators();
      if (this.acceptPunct("}")) return object;
      const key = this.next();
      const name = key.kind === "string" ? asString(this.interpolate(key.text, key.interpolated), "key") : key.text;
      this.expectPunct(":");
      object[name] = this.expression();
    }
  }

  /** A string token's text with each `${...}` evaluated. */
  interpolate(text: string, interpolated: boolean): string {
    if (!interpolated) return text;
    let out = "";
    let i = 0;
    while (i < text.length) {
      const open = text.indexOf("${", i);
      if (open < 0) return out + text.slice(i);
      out += text.slice(i, open);
      const close = closingBrace(text, open + 2);
      const value = new ExpressionParser(tokenize(text.slice(open + 2, close)), this.lookup, this.functions, this.locals).parseAll();
      out += typeof value === "string" ? value : JSON.stringify(value);
      i = close + 1;
    }
    return out;
  }

  private isPunct(t: Token | undefined, text: string): boolean {
    return t?.kind === "punct" && t.text === text;
  }
  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new EvaluationError("unexpected end of expression");
    return t;
  }
  private acceptPunct(text: string): boolean {
    if (this.peek()?.kind === "punct" && this.peek()?.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) throw new EvaluationError(`expected '${text}', found '${this.peek()?.text ?? "end"}'`);
  }
  private skipNewlines(): void {
    while (this.peek()?.kind === "newline") this.pos++;
  }
  private skipSeparators(): void {
    while (this.peek()?.kind === "newline" || this.isPunct(this.peek(), ",")) this.pos++;
  }
}

function applyBinary(op: string, a: BicepData, b: BicepData): BicepData {
  switch (op) {
    case "??": return a ?? b;
    case "||": return a === true || b === true;
    case "&&": return a === true && b === true;
    case "==": return equal(a, b);
    case "!=": return !equal(a, b);
    case "=~": return asString(a, "=~").toLowerCase() === asString(b, "=~").toLowerCase();
    case "!~": return asString(a, "!~").toLowerCase() !== asString(b, "!~").toLowerCase();
    case "<": return (a as number) < (b as number);
    case ">": return (a as number) > (b as number);
    case "<=": return (a as number) <= (b as number);
    case ">=": return (a as number) >= (b as number);
    case "+": return (a as number) + (b as number);
    case "-": return (a as number) - (b as number);
    case "*": return (a as number) * (b as number);
    case "/": return Math.trunc((a as number) / (b as number));
    case "%": return (a as number) % (b as number);
    default: throw new EvaluationError(`unknown operator ${op}`);
  }
}

/** Index of the `}` closing an interpolation whose expression starts at `from` (quotes skipped). */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === "'") quoted = false;
      continue;
    }
    if (ch === "'") quoted = true;
    else if (ch === "{") depth++;
    else if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new EvaluationError("unterminated interpolation");
}
