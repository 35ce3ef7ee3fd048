/** A small lexer shared by the schema and query parsers (positions for `line L, column C` errors). */
import { ParseError, Positions } from './errors.js';

/** A decimal number as a word token spells it (`-12`, `3.5`, `1e-3`). */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `raw`: the text inside `math(...)`, which has a grammar of its own (query-math.ts). */
export type TokenKind = 'word' | 'iri' | 'string' | 'regex' | 'punct' | 'raw' | 'eof';

export interface Token {
  kind: TokenKind;
  /** word/punct/regex (`/expr/flags`): as written; iri: inside the brackets; string: unescaped. */
  text: string;
  start: number;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', ':', ',', '@', '.', '~', '=', '$', '!', '*']);

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_\-+.]/.test(c) || c.charCodeAt(0) >= 0x80;
}

export class Lexer {
  readonly positions: Positions;
  private readonly tokens: Token[] = [];
  private i = 0;

  constructor(readonly src: string) {
    this.positions = new Positions(src);
    this.scan();
  }

  error(offset: number, reason: string): ParseError {
    return this.positions.error(offset, reason);
  }

  private scan(): void {
    const s = this.src;
    let p = 0;
    while (p < s.length) {
      const c = s[p]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        p++;
      } else if (c === '#') {
        const nl = s.indexOf('\n', p);
        p = nl === -1 ? s.length : nl;
      } else if (c === '<') {
        const end = s.indexOf('>', p);
        const nl = s.indexOf('\n', p);
        if (end === -1 || (nl !== -1 && nl < end)) throw this.error(p, 'unterminated IRI: expected ">"');
        const text = s.slice(p + 1, end);
        if (text.length === 0) throw this.error(p, 'empty name <>');
        if (/[\s<"{}|^`\\]/.test(text)) throw this.error(p, `invalid character in <${text}>`);
        this.tokens.push({ kind: 'iri', text, start: p });
        p = end + 1;
      } else if (c === '"') {
        p = this.string(p);
      } else if (c === '/') {
        p = this.regex(p);
      } else if (isWordChar(c) && !(c === '.' && !/[0-9]/.test(s[p + 1] ?? ''))) {
        const start = p;
        while (p < s.length && isWordChar(s[p]!)) p++;
        // A word never ends with a dot: that dot ends a schema line.
        while (p > start + 1 && s[p - 1] === '.') p--;
        this.tokens.push({ kind: 'word', text: s.slice(start, p), start });
        if (s.slice(start, p) === 'math') p = this.mathArgs(p);
      } else if (PUNCT.has(c)) {
        this.tokens.push({ kind: 'punct', text: c, start: p });
        p++;
      } else {
        throw this.error(p, `unexpected character ${JSON.stringify(c)}`);
      }
    }
    this.tokens.push({ kind: 'eof', text: '', start: s.length });
  }

  /**
   * After the word `math`: `(`, the raw text up to the matching `)`, and `)` (nothing when no `(`
   * follows). Returns where scanning goes on.
   */
  private mathArgs(from: number): number {
    const s = this.src;
    let p = from;
    while (p < s.length && /\s/.test(s[p]!)) p++;
    if (s[p] !== '(') return from;
    let depth = 0;
    for (let q = p; q < s.length; q++) {
      if (s[q] === '(') depth++;
      else if (s[q] === ')' && --depth === 0) {
        this.tokens.push({ kind: 'punct', text: '(', start: p });
        this.tokens.push({ kind: 'raw', text: s.slice(p + 1, q), start: p + 1 });
        this.tokens.push({ kind: 'punct', text: ')', start: q });
        return q + 1;
      }
    }
    throw this.error(p, 'unterminated math(: expected ")"');
  }

  /** `/expr/flags` as Dgraph lexes it: a backslash escapes the next character, flags are letters. */
  private regex(start: number): number {
    const s = this.src;
    let p = start + 1;
    for (;;) {
      const c = s[p];
      if (c === undefined) throw this.error(start, 'Unclosed regexp');
      p += c === '\\' ? 2 : 1;
      if (c === '/') break;
    }
    while (p < s.length && /[A-Za-z]/.test(s[p]!)) p++;
    this.tokens.push({ kind: 'regex', text: s.slice(start, p), start });
    return p;
  }

  private string(start: number): number {
    const s = this.src;
    let p = start + 1;
    let out = '';
    for (;;) {
      const c = s[p];
      if (c === undefined || c === '\n') throw this.error(start, "unterminated string: expected '\"'");
      if (c === '"') break;
      if (c === '\\') {
        const e = s[p + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          "'": "'",
          n: '\n',
          t: '\t',
          r: '\r',
          b: '\b',
          f: '\f',
        };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          p += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(p + 2, p + 6))) {
          out += String.fromCharCode(Number.parseInt(s.slice(p + 2, p + 6), 16));
          p += 6;
        } else {
          throw this.error(p, `invalid escape \\${e ?? ''} in string`);
        }
        continue;
      }
      out += c;
      p++;
    }
    this.tokens.push({ kind: 'string', text: out, start });
    return p + 1;
  }

  /**
   * Replaces each `$name` from the current position on by `values(name, token)` (GraphQL-style
   * query variables, substituted before the query is read).
   */
  substitute(value: (name: string, at: Token) => Token): void {
    for (let j = this.i; j < this.tokens.length - 1; j++) {
      const t = this.tokens[j]!;
      if (t.kind !== 'punct' || t.text !== '$') continue;
      const n = this.tokens[j + 1]!;
      if (n.kind !== 'word')
        throw this.error(n.start, `expected a variable name after $, got ${this.describe(n)}`);
      this.tokens.splice(j, 2, { ...value(n.text, t), start: t.start });
    }
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'punct' && t.text === text;
  }

  describe(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'end of input';
      case 'iri':
        return `<${t.text}>`;
      case 'string':
        return JSON.stringify(t.text);
      default:
        return `"${t.text}"`;
    }
  }

  expectPunct(text: string, context: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) {
      throw this.error(t.start, `expected "${text}" ${context}, got ${this.describe(t)}`);
    }
    return t;
  }
}
