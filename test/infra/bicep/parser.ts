/**
 * Parser for Bicep declarations (resource, module, param, var, output, import,
 * targetScope; func/type/metadata are recognized and skipped). Object, array,
 * string and for-expressions become structured values; every other
 * expression is kept as its source text with the literals inside it, which is
 * all the infra invariants need.
 */
import { BicepSyntaxError, tokenize, type Token } from "./lexer";
import type {
  ArrayValue,
  BicepFile,
  Decorator,
  ForValue,
  ModuleDecl,
  ObjectValue,
  ResourceDecl,
  Statement,
  Value,
} from "./ast";

export function parseBicep(source: string): BicepFile {
  return new Parser(source).parseFile();
}

const CLOSERS = new Set([",", ")", "]", "}"]);

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseFile(): BicepFile {
    const statements: Statement[] = [];
    for (;;) {
      this.skipNewlines();
      if (!this.peek()) return { statements };
      statements.push(this.parseStatement());
      this.endStatement();
    }
  }

  // ---- statements ----

  private parseStatement(): Statement {
    const decorators = this.parseDecorators();
    const keywordToken = this.expectIdent();
    const line = keywordToken.line;
    switch (keywordToken.text) {
      case "targetScope":
        this.expectPunct("=");
        return { kind: "targetScope", value: this.parseValue(), decorators, line };
      case "param": {
        const name = this.expectIdent().text;
        const type = this.parseTypeUntilAssignment();
        const defaultValue = this.acceptPunct("=") ? this.parseValue() : undefined;
        return { kind: "param", name, type, defaultValue, decorators, line };
      }
      case "var": {
        const name = this.expectIdent().text;
        this.expectPunct("=");
        return { kind: "var", name, value: this.parseValue(), decorators, line };
      }
      case "output": {
        const name = this.expectIdent().text;
        const type = this.parseTypeUntilAssignment();
        this.expectPunct("=");
        return { kind: "output", name, type, value: this.parseValue(), decorators, line };
      }
      case "resource":
        return this.parseResource(decorators, line);
      case "module":
        return this.parseModule(decorators, line);
      case "import":
        return this.parseImport(decorators, line);
      case "func":
      case "type":
      case "metadata": {
        const name = this.expectIdent().text;
        this.skipRestOfStatement();
        return { kind: "other", keyword: keywordToken.text, name, decorators, line };
      }
      default:
        throw new BicepSyntaxError(`unknown statement '${keywordToken.text}'`, line);
    }
  }

  private parseResource(decorators: Decorator[], line: number): ResourceDecl {
    const symbol = this.expectIdent().text;
    const typeReference = this.expectString().text;
    const existing = this.acceptIdent("existing");
    this.expectPunct("=");
    return { kind: "resource", symbol, typeReference, existing, body: this.parseDeclarationBody(), decorators, line };
  }

  private parseModule(decorators: Decorator[], line: number): ModuleDecl {
    const symbol = this.expectIdent().text;
    const path = this.expectString().text;
    this.expectPunct("=");
    return { kind: "module", symbol, path, body: this.parseDeclarationBody(), decorators, line };
  }

  private parseDeclarationBody(): Value {
    const ifToken = this.peek();
    if (ifToken && this.acceptIdent("if")) {
      const condition = this.parseParenthesizedText();
      this.skipNewlines();
      return { kind: "if", condition, body: this.parseValue(), line: ifToken.line };
    }
    return this.parseValue();
  }

  private parseImport(decorators: Decorator[], line: number): Statement {
    const names: string[] = [];
    if (this.acceptPunct("*")) {
      this.expectIdent("as");
      names.push(`* as ${this.expectIdent().text}`);
    } else {
      this.expectPunct("{");
      for (;;) {
        this.skipSeparators();
        if (this.acceptPunct("}")) break;
        const name = this.expectIdent().text;
        names.push(this.acceptIdent("as") ? this.expectIdent().text : name);
      }
    }
    this.expectIdent("from");
    return { kind: "import", names, from: this.expectString().text, decorators, line };
  }

  private parseDecorators(): Decorator[] {
    const decorators: Decorator[] = [];
    while (this.acceptPunct("@")) {
      let name = this.expectIdent().text;
      while (this.acceptPunct(".")) name += `.${this.expectIdent().text}`;
      this.expectPunct("(");
      decorators.push({ name, args: this.parseArguments() });
      this.skipNewlines();
    }
    return decorators;
  }

  /** A parameter or output type: everything up to `=` (or the end of the statement). */
  private parseTypeUntilAssignment(): string {
    const first = this.peek();
    if (!first) throw new BicepSyntaxError("missing type", this.lastLine());
    let depth = 0;
    let end = first.start;
    for (let t = this.peek(); t; t = this.peek()) {
      if (depth === 0 && (t.kind === "newline" || (t.kind === "punct" && t.text === "="))) break;
      if (t.kind === "punct" && "([{".includes(t.text)) depth++;
      if (t.kind === "punct" && ")]}".includes(t.text)) depth--;
      end = this.next().end;
    }
    return this.source.slice(first.start, end).trim();
  }

  private skipRestOfStatement(): void {
    let depth = 0;
    for (let t = this.peek(); t; t = this.peek()) {
      if (depth === 0 && t.kind === "newline") return;
      if (t.kind === "punct" && "([{".includes(t.text)) depth++;
      if (t.kind === "punct" && ")]}".includes(t.text)) depth--;
      this.next();
    }
  }

  // ---- values ----

  parseValue(): Value {
    const first = this.peek();
    if (!first || first.kind === "newline" || (first.kind === "punct" && CLOSERS.has(first.text))) {
      throw new BicepSyntaxError("expected a value", first?.line ?? this.lastLine());
    }
    const structured: Value[] = [];
    let plainAtoms = 0;
    let end = first.start;
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.kind === "newline" || (t.kind === "punct" && CLOSERS.has(t.text))) break;
      if (t.kind === "punct" && t.text === "{") {
        structured.push(this.parseObject());
      } else if (t.kind === "punct" && t.text === "[") {
        structured.push(this.parseArrayOrFor());
      } else if (t.kind === "punct" && t.text === "(") {
        this.next();
        structured.push(...this.parseArguments());
        plainAtoms++;
      } else if (t.kind === "string") {
        this.next();
        structured.push({ kind: "string", value: t.text, interpolated: t.interpolated, line: t.line });
      } else {
        this.next();
        plainAtoms++;
      }
      end = this.previous().end;
    }
    const only = structured[0];
    if (plainAtoms === 0 && structured.length === 1 && only) return only;
    return { kind: "expr", text: this.source.slice(first.start, end), children: structured, line: first.line };
  }

  /** Values separated by commas (newlines allowed) up to and including `)`. */
  private parseArguments(): Value[] {
    const args: Value[] = [];
    for (;;) {
      this.skipSeparators();
      if (this.acceptPunct(")")) return args;
      args.push(this.parseValue());
    }
  }

  private parseObject(): ObjectValue {
    const open = this.expectPunct("{");
    const object: ObjectValue = { kind: "object", properties: [], resources: [], line: open.line };
    for (;;) {
      this.skipSeparators();
      if (this.acceptPunct("}")) return object;
      const decorators = this.parseDecorators();
      const keyToken = this.next();
      if (keyToken.kind === "ident" && keyToken.text === "resource" && this.peek()?.kind === "ident") {
        object.resources.push(this.parseResource(decorators, keyToken.line));
        continue;
      }
      if (keyToken.kind !== "ident" && keyToken.kind !== "string") {
        throw new BicepSyntaxError(`expected a property name, found '${keyToken.text}'`, keyToken.line);
      }
      this.expectPunct(":");
      object.properties.push({ key: keyToken.text, value: this.parseValue(), line: keyToken.line });
    }
  }

  private parseArrayOrFor(): ArrayValue | ForValue {
    const open = this.expectPunct("[");
    this.skipNewlines();
    if (this.acceptIdent("for")) return this.parseForRest(open.line);
    const array: ArrayValue = { kind: "array", items: [], line: open.line };
    for (;;) {
      this.skipSeparators();
      if (this.acceptPunct("]")) return array;
      array.items.push(this.parseValue());
    }
  }

  private parseForRest(line: number): ForValue {
    const first = this.peek();
    let depth = 0;
    let end = first?.start ?? 0;
    for (let t = this.peek(); t; t = this.peek()) {
      if (depth === 0 && t.kind === "punct" && t.text === ":") break;
      if (t.kind === "punct" && "([{".includes(t.text)) depth++;
      if (t.kind === "punct" && ")]}".includes(t.text)) depth--;
      end = this.next().end;
    }
    const header = this.source.slice(first?.start ?? end, end).trim();
    this.expectPunct(":");
    this.skipNewlines();
    const condition = this.acceptIdent("if") ? this.parseParenthesizedText() : undefined;
    this.skipNewlines();
    const body = this.parseValue();
    this.skipNewlines();
    this.expectPunct("]");
    return { kind: "for", header, condition, body, line };
  }

  /** `( ... )` as source text, without the parentheses. */
  private parseParenthesizedText(): string {
    const open = this.expectPunct("(");
    let depth = 1;
    for (let t = this.peek(); t; t = this.peek()) {
      this.next();
      if (t.kind === "punct" && "([{".includes(t.text)) depth++;
      if (t.kind === "punct" && ")]}".includes(t.text)) depth--;
      if (depth === 0) return this.source.slice(open.end, t.start).trim();
    }
    throw new BicepSyntaxError("unclosed '('", open.line);
  }

  // ---- token helpers ----

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private previous(): Token {
    const token = this.tokens[this.pos - 1];
    if (!token) throw new BicepSyntaxError("no previous token", 1);
    return token;
  }

  private next(): Token {
    const token = this.tokens[this.pos];
    if (!token) throw new BicepSyntaxError("unexpected end of file", this.lastLine());
    this.pos++;
    return token;
  }

  private lastLine(): number {
    return this.tokens[this.tokens.length - 1]?.line ?? 1;
  }

  private skipNewlines(): void {
    while (this.peek()?.kind === "newline") this.pos++;
  }

  private skipSeparators(): void {
    for (let t = this.peek(); t && (t.kind === "newline" || (t.kind === "punct" && t.text === ",")); t = this.peek()) this.pos++;
  }

  private endStatement(): void {
    const t = this.peek();
    if (t && t.kind !== "newline") throw new BicepSyntaxError(`expected the end of the statement, found '${t.text}'`, t.line);
  }

  private acceptPunct(text: string): boolean {
    const t = this.peek();
    if (t?.kind === "punct" && t.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptIdent(text: string): boolean {
    const t = this.peek();
    if (t?.kind === "ident" && t.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectPunct(text: string): Token {
    const t = this.next();
    if (t.kind !== "punct" || t.text !== text) throw new BicepSyntaxError(`expected '${text}', found '${t.text}'`, t.line);
    return t;
  }

  private expectIdent(text?: string): Token {
    const t = this.next();
    if (t.kind !== "ident" || (text !== undefined && t.text !== text)) {
      throw new BicepSyntaxError(`expected ${text ? `'${text}'` : "a name"}, found '${t.text}'`, t.line);
    }
    return t;
  }

  private expectString(): Token {
    const t = this.next();
    if (t.kind !== "string") throw new BicepSyntaxError(`expected a string, found '${t.text}'`, t.line);
    return t;
  }
}
