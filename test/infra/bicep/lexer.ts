/**
 * Tokenizer for the Bicep language, as far as the infra checks need it:
 * comments, newlines (statement separators), identifiers, numbers, operators,
 * single-quoted strings with escapes and nested `${...}` interpolation, and
 * ''' multi-line strings. There is no Bicep CLI on the build machines, so the
 * tests read the templates with this instead.
 */

export type TokenKind = "ident" | "number" | "string" | "punct" | "newline";

export interface Token {
  kind: TokenKind;
  /** Identifier/operator text, or the decoded string value (interpolations kept as `${...}`). */
  text: string;
  /** True for a string with at least one `${...}` interpolation. */
  interpolated: boolean;
  start: number;
  end: number;
  line: number;
}

export class BicepSyntaxError extends Error {
  constructor(message: string, public readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = "BicepSyntaxError";
  }
}

const MULTI_CHAR_OPERATORS = ["=>", "==", "!=", "<=", ">=", "&&", "||", "??", ".?", "=~", "!~", "::"];
const SINGLE_CHAR_PUNCT = "{}[]():,.?=!<>+-*/%@|&";
const ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", n: "\n", r: "\r", t: "\t", $: "$" };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  const push = (kind: TokenKind, text: string, start: number, interpolated = false) =>
    tokens.push({ kind, text, interpolated, start, end: pos, line });

  while (pos < source.length) {
    const ch = source[pos] as string;
    const start = pos;
    if (ch === "\n") {
      pos++;
      push("newline", "\n", start);
      line++;
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      pos++;
    } else if (source.startsWith("//", pos)) {
      while (pos < source.length && source[pos] !== "\n") pos++;
    } else if (source.startsWith("/*", pos)) {
      const close = source.indexOf("*/", pos + 2);
      if (close < 0) throw new BicepSyntaxError("unterminated block comment", line);
      line += countNewlines(source.slice(pos, close));
      pos = close + 2;
    } else if (source.startsWith("'''", pos)) {
      const close = source.indexOf("'''", pos + 3);
      if (close < 0) throw new BicepSyntaxError("unterminated multi-line string", line);
      let text = source.slice(pos + 3, close);
      // Bicep drops a newline directly after the opening quotes.
      text = text.replace(/^\r?\n/, "");
      const startLine = line;
      line += countNewlines(source.slice(pos, close));
      pos = close + 3;
      tokens.push({ kind: "string", text, interpolated: false, start, end: pos, line: startLine });
    } else if (ch === "'") {
      const scanned = scanString(source, pos, line);
      pos = scanned.end;
      tokens.push({ kind: "string", text: scanned.text, interpolated: scanned.interpolated, start, end: pos, line });
      line += scanned.newlines;
    } else if (/[A-Za-z_]/.test(ch)) {
      while (pos < source.length && /[A-Za-z0-9_]/.test(source[pos] as string)) pos++;
      push("ident", source.slice(start, pos), start);
    } else if (/[0-9]/.test(ch)) {
      while (pos < source.length && /[0-9]/.test(source[pos] as string)) pos++;
      push("number", source.slice(start, pos), start);
    } else {
      const op = MULTI_CHAR_OPERATORS.find((o) => source.startsWith(o, pos));
      if (op) {
        pos += op.length;
        push("punct", op, start);
      } else if (SINGLE_CHAR_PUNCT.includes(ch)) {
        pos++;
        push("punct", ch, start);
      } else {
        throw new BicepSyntaxError(`unexpected character ${JSON.stringify(ch)}`, line);
      }
    }
  }
  return tokens;
}

function countNewlines(text: string): number {
  return text.split("\n").length - 1;
}

interface ScannedString {
  text: string;
  interpolated: boolean;
  end: number;
  newlines: number;
}

/** Scans a single-quoted string starting at `open`, including nested strings inside `${...}`. */
function scanString(source: string, open: number, line: number): ScannedString {
  let pos = open + 1;
  let text = "";
  let interpolated = false;
  while (pos < source.length) {
    const ch = source[pos] as string;
    if (ch === "\n") throw new BicepSyntaxError("newline in a single-quoted string (use ''' for multi-line)", line);
    if (ch === "'") return { text, interpolated, end: pos + 1, newlines: 0 };
    if (ch === "\\") {
      const next = source[pos + 1] ?? "";
      if (next === "u" && source[pos + 2] === "{") {
        const close = source.indexOf("}", pos + 3);
        text += String.fromCodePoint(parseInt(source.slice(pos + 3, close), 16));
        pos = close + 1;
        continue;
      }
      const decoded = ESCAPES[next];
      if (decoded === undefined) throw new BicepSyntaxError(`unknown escape \\${next}`, line);
      text += decoded;
      pos += 2;
    } else if (source.startsWith("${", pos)) {
      interpolated = true;
      const close = interpolationEnd(source, pos + 2, line);
      text += source.slice(pos, close + 1);
      pos = close + 1;
    } else {
      text += ch;
      pos++;
    }
  }
  throw new BicepSyntaxError("unterminated string", line);
}

/** Index of the `}` closing an interpolation whose body starts at `from`. */
function interpolationEnd(source: string, from: number, line: number): number {
  let depth = 0;
  let pos = from;
  while (pos < source.length) {
    const ch = source[pos];
    if (ch === "'") {
      pos = scanString(source, pos, line).end;
      continue;
    }
    if (ch === "{") depth++;
    if (ch === "}") {
      if (depth === 0) return pos;
      depth--;
    }
    pos++;
  }
  throw new BicepSyntaxError("unterminated interpolation", line);
}
