/**
 * N-Quads as Dgraph's RDF parser accepts them (`chunker/rdf_parser.go`), one statement per line:
 *
 *   subject    <0x1f> | <_:b> | _:b | <iri>
 *   predicate  <name> | * (deletes only)          (<~name> is refused: reverse edges are not written)
 *   object     <0x..> | <_:b> | _:b | <iri> | "literal"[@lang | ^^<type>] | * (deletes only)
 *   then an optional label (<iri> or _:b), optional facets (k=v, ...), and the final ` .`
 *
 * Comments start with `#` outside IRIs and literals. Errors say `line L, column C: message`.
 */
import { ParseError, Positions, ValueError } from './errors.js';
import {
  encodeBool,
  encodeDateTime,
  encodeFloat,
  encodeInt,
  floatLike,
  parseDateTime,
  parseFloat64,
  RDF_TYPES,
  validateValue,
  type ValueType,
} from './values.js';

const U64_MAX = (1n << 64n) - 1n;

export type NodeRef =
  { kind: 'uid'; uid: bigint } | { kind: 'blank'; name: string } | { kind: 'iri'; iri: string };

/** `uid(v)` / `val(v)` in an upsert block's mutation: the query's variable. */
export type VarRef = { kind: 'var'; name: string } | { kind: 'val'; name: string };

export interface Literal {
  kind: 'literal';
  /** The unescaped text. */
  value: string;
  /** From `^^<type>`; `default` when untyped (converted to the predicate's schema type later). */
  valType: ValueType;
  /** The datatype IRI as written, if any. */
  datatype?: string;
  lang?: string;
}

export type NQuadObject = NodeRef | Literal | { kind: 'star' } | VarRef;

export type FacetType = 'string' | 'int' | 'float' | 'bool' | 'datetime';
/** `api.Facet.ValType` numbers (STRING is 0 here, unlike ValType). */
export const FACET_TYPE_IDS: Readonly<Record<FacetType, number>> = {
  string: 0,
  int: 1,
  float: 2,
  bool: 3,
  datetime: 4,
};

export interface Facet {
  key: string;
  valType: FacetType;
  /** int → bigint, float → number, bool → boolean, string and datetime → text. */
  value: string | bigint | number | boolean;
  /** The binary form Dgraph stores (format spec §6.5). */
  bytes: Buffer;
}

export interface NQuad {
  subject: NodeRef | Extract<VarRef, { kind: 'var' }>;
  /** The predicate name, or `*` (deletes only). */
  predicate: string;
  object: NQuadObject;
  label?: string;
  /** Sorted by key, as Dgraph keeps them. */
  facets: Facet[];
  /** 1-based line of the statement. */
  line: number;
}

export interface StatementOptions {
  /** `*` as predicate or object (delete blocks). */
  allowStar: boolean;
  /** Characters that may follow the final `.` on the same line besides a comment (e.g. `}`). */
  closers?: string;
  /** `uid(v)` as subject or object and `val(v)` as object (upsert blocks). */
  allowVars?: boolean;
}

type ErrAt = (offset: number, reason: string) => ParseError;

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

function isIriChar(c: number): boolean {
  // IRIREF excludes controls, space and <>"{}|^`\ (the backslash escapes are not supported).
  return !(
    c <= 0x20 ||
    c === 0x3c ||
    c === 0x3e ||
    c === 0x22 ||
    c === 0x7b ||
    c === 0x7d ||
    c === 0x7c ||
    c === 0x5e ||
    c === 0x60 ||
    c === 0x5c
  );
}

function isBlankChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x3a ||
    c >= 0x80
  );
}

const GO_INT_RE = /^[+-]?(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*)$/;

/** Go `strconv.ParseInt(s, 0, 64)`; `undefined` when it is not an int, 'range' when too big. */
function goParseInt(s: string): bigint | 'range' | undefined {
  if (!GO_INT_RE.test(s)) return undefined;
  const neg = s.startsWith('-');
  let body = s.replace(/^[+-]/, '').replace(/_/g, '');
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`;
  let v = BigInt(body);
  if (neg) v = -v;
  if (v < -(1n << 63n) || v > (1n << 63n) - 1n) return 'range';
  return v;
}

/** A facet value with Dgraph's typing rules (format spec §6.5). */
export function facetValue(key: string, raw: string, quoted: boolean): Facet {
  if (quoted) return { key, valType: 'string', value: raw, bytes: Buffer.from(raw, 'utf8') };
  const i = goParseInt(raw);
  if (typeof i === 'bigint') return { key, valType: 'int', value: i, bytes: encodeInt(i) };
  if (i === 'range' && /^\d+$/.test(raw))
    throw new ValueError(`facet ${key}: value ${raw} is out of the int64 range`);
  let f: number | undefined;
  // Tried only on what can be a float: a thrown error per datetime facet cost more than the rest.
  if (floatLike(raw)) {
    try {
      f = parseFloat64(raw);
    } catch (err) {
      if (/^[+-]?nan$/i.test(raw))
        throw new ValueError(`facet ${key}: NaN is not a valid value`, { cause: err });
    }
  }
  if (f !== undefined) return { key, valType: 'float', value: f, bytes: encodeFloat(f) };
  if (raw === 'true' || raw === 'false') {
    return { key, valType: 'bool', value: raw === 'true', bytes: encodeBool(raw === 'true') };
  }
  try {
    return { key, valType: 'datetime', value: raw, bytes: encodeDateTime(parseDateTime(raw)) };
  } catch {
    throw new ValueError(
      `facet ${key}: cannot parse ${JSON.stringify(raw)} as int, float, bool or datetime (quote it for a string)`,
    );
  }
}

/** Scans N-Quad statements in `src`, from `pos`. */
export class NQuadScanner {
  pos: number;

  constructor(
    readonly src: string,
    readonly errAt: ErrAt,
    pos = 0,
    private readonly lineOf: (offset: number) => number = () => 1,
  ) {
    this.pos = pos;
  }

  private code(): number {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  /** Spaces and tabs (a statement stays on one line). */
  skipInline(): void {
    for (;;) {
      const c = this.code();
      if (c === SP || c === TAB || c === CR) this.pos++;
      else return;
    }
  }

  /** Whitespace, newlines and comments between statements. */
  skipBetween(): void {
    for (;;) {
      const c = this.code();
      if (c === SP || c === TAB || c === CR || c === LF) this.pos++;
      else if (c === 0x23) this.skipComment();
      else return;
    }
  }

  private skipComment(): void {
    const nl = this.src.indexOf('\n', this.pos);
    this.pos = nl === -1 ? this.src.length : nl;
  }

  private describe(): string {
    const c = this.code();
    if (c === -1) return 'end of input';
    if (c === LF) return 'end of line';
    return JSON.stringify(this.src[this.pos]);
  }

  private readIri(): { text: string; start: number } {
    const start = this.pos;
    this.pos++; // <
    const from = this.pos;
    for (;;) {
      const c = this.code();
      if (c === 0x3e) break;
      if (c === -1 || c === LF) throw this.errAt(start, 'unterminated IRI: expected ">"');
      if (!isIriChar(c)) {
        throw this.errAt(
          this.pos,
          `character ${JSON.stringify(this.src[this.pos])} is not allowed in an IRI`,
        );
      }
      this.pos++;
    }
    const text = this.src.slice(from, this.pos);
    this.pos++; // >
    if (text.length === 0) throw this.errAt(start, 'empty IRI <>');
    return { text, start };
  }

  private readBlank(): string {
    const start = this.pos;
    if (this.src.charCodeAt(this.pos + 1) !== 0x3a)
      throw this.errAt(start, 'expected "_:" to start a blank node');
    this.pos += 2;
    const from = this.pos;
    while (isBlankChar(this.code())) this.pos++;
    // A blank node label does not end with a dot (that dot ends the statement).
    while (this.pos > from && this.src.charCodeAt(this.pos - 1) === 0x2e) this.pos--;
    if (this.pos === from) throw this.errAt(start, 'empty blank node label after "_:"');
    return this.src.slice(from, this.pos);
  }

  private node(text: string, start: number): NodeRef {
    if (text.startsWith('_:')) {
      if (text.length === 2) throw this.errAt(start, 'empty blank node label after "_:"');
      return { kind: 'blank', name: text.slice(2) };
    }
    if (/^0[xX][0-9a-fA-F]+$/.test(text) || /^\d+$/.test(text)) {
      const uid = BigInt(text);
      if (uid === 0n) throw this.errAt(start, 'uid 0 is not a valid node');
      if (uid > U64_MAX) throw this.errAt(start, `uid ${text} does not fit in 64 bits`);
      return { kind: 'uid', uid };
    }
    return { kind: 'iri', iri: text };
  }

  /** `uid(v)` / `val(v)` at the position, when `kinds` allows it; undefined otherwise. */
  private varRef(kinds: readonly ('uid' | 'val')[]): VarRef | undefined {
    const m = /^(uid|val)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/.exec(this.src.slice(this.pos, this.pos + 160));
    if (!m || !kinds.includes(m[1] as 'uid' | 'val')) return undefined;
    this.pos += m[0].length;
    return m[1] === 'uid' ? { kind: 'var', name: m[2]! } : { kind: 'val', name: m[2]! };
  }

  private subject(allowVars = false): NodeRef | Extract<VarRef, { kind: 'var' }> {
    if (allowVars) {
      const v = this.varRef(['uid']);
      if (v) return v as Extract<VarRef, { kind: 'var' }>;
    }
    const c = this.code();
    if (c === 0x3c) {
      const { text, start } = this.readIri();
      return this.node(text, start);
    }
    if (c === 0x5f) return { kind: 'blank', name: this.readBlank() };
    if (/^(uid|val)\(/.test(this.src.slice(this.pos, this.pos + 4))) {
      throw this.errAt(
        this.pos,
        'uid(...) and val(...) are only allowed in the mutations of an upsert block',
      );
    }
    throw this.errAt(this.pos, `expected a subject (<0x..>, _:name or <iri>), got ${this.describe()}`);
  }

  private predicate(allowStar: boolean): string {
    const c = this.code();
    if (c === 0x3c) {
      const { text, start } = this.readIri();
      if (text.startsWith('~')) {
        throw this.errAt(
          start,
          `reverse predicate <${text}> cannot be written: mutate <${text.slice(1)}> instead`,
        );
      }
      return text;
    }
    if (c === 0x2a) {
      if (!allowStar) throw this.errAt(this.pos, '"*" as predicate is only allowed in delete');
      this.pos++;
      return '*';
    }
    throw this.errAt(this.pos, `expected a predicate (<name>), got ${this.describe()}`);
  }

  /** A quoted string with N-Quads escapes; returns the text (pos after the closing quote). */
  readQuoted(): string {
    const start = this.pos;
    this.pos++; // "
    let out = '';
    let from = this.pos;
    for (;;) {
      const c = this.code();
      if (c === 0x22) break;
      if (c === -1 || c === LF) throw this.errAt(start, "unterminated string literal: expected '\"'");
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.src.slice(from, this.pos);
      const escAt = this.pos;
      const e = this.src[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
        case '\\':
        case "'":
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u':
        case 'U': {
          const n = e === 'u' ? 4 : 8;
          const hex = this.src.slice(this.pos, this.pos + n);
          if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) {
            throw this.errAt(escAt, `invalid escape \\${e}: expected ${n} hex digits`);
          }
          const cp = Number.parseInt(hex, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            throw this.errAt(escAt, `invalid escape \\${e}${hex}: not a Unicode code point`);
          }
          out += String.fromCodePoint(cp);
          this.pos += n;
          break;
        }
        default:
          throw this.errAt(escAt, `invalid escape \\${e ?? ''} in string literal`);
      }
      from = this.pos;
    }
    out += this.src.slice(from, this.pos);
    this.pos++; // "
    return out;
  }

  private object(allowStar: boolean, allowVars = false): NQuadObject {
    if (allowVars) {
      const v = this.varRef(['uid', 'val']);
      if (v) return v;
    }
    const c = this.code();
    if (c === 0x3c) {
      const { text, start } = this.readIri();
      return this.node(text, start);
    }
    if (c === 0x5f) return { kind: 'blank', name: this.readBlank() };
    if (c === 0x2a) {
      if (!allowStar) throw this.errAt(this.pos, '"*" as object is only allowed in delete');
      this.pos++;
      return { kind: 'star' };
    }
    if (c !== 0x22) {
      if (/^(uid|val)\(/.test(this.src.slice(this.pos, this.pos + 4))) {
        throw this.errAt(
          this.pos,
          'uid(...) and val(...) are only allowed in the mutations of an upsert block',
        );
      }
      throw this.errAt(
        this.pos,
        `expected an object (<0x..>, _:name, <iri> or "literal"), got ${this.describe()}`,
      );
    }
    const start = this.pos;
    const value = this.readQuoted();
    const lit: Literal = { kind: 'literal', value, valType: 'default' };
    if (this.code() === 0x40) {
      const at = this.pos;
      this.pos++;
      const from = this.pos;
      while (/[A-Za-z0-9-]/.test(this.src[this.pos] ?? '')) this.pos++;
      const lang = this.src.slice(from, this.pos);
      if (!/^[A-Za-z]+(-[A-Za-z0-9]+)*$/.test(lang)) throw this.errAt(at, `invalid language tag "@${lang}"`);
      lit.lang = lang;
    } else if (this.code() === 0x5e) {
      if (this.src.charCodeAt(this.pos + 1) !== 0x5e || this.src.charCodeAt(this.pos + 2) !== 0x3c) {
        throw this.errAt(this.pos, 'expected "^^<type>" after the literal');
      }
      this.pos += 2;
      const { text, start: tStart } = this.readIri();
      const t = RDF_TYPES[text];
      if (!t) throw this.errAt(tStart, `unknown datatype <${text}>`);
      lit.valType = t;
      lit.datatype = text;
      try {
        validateValue(value, t);
      } catch (err) {
        if (err instanceof ValueError) throw this.errAt(start, err.message);
        throw err;
      }
    }
    return lit;
  }

  private facets(): Facet[] {
    const open = this.pos;
    this.pos++; // (
    const out: Facet[] = [];
    const seen = new Set<string>();
    this.skipInline();
    if (this.code() === 0x29) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipInline();
      const keyAt = this.pos;
      while (/[^\s=,()"#]/.test(this.src[this.pos] ?? '\n')) this.pos++;
      const key = this.src.slice(keyAt, this.pos);
      if (key.length === 0) throw this.errAt(keyAt, `expected a facet key, got ${this.describe()}`);
      this.skipInline();
      if (this.code() !== 0x3d)
        throw this.errAt(this.pos, `expected "=" after facet key ${key}, got ${this.describe()}`);
      this.pos++;
      this.skipInline();
      const valAt = this.pos;
      let raw: string;
      let quoted = false;
      if (this.code() === 0x22) {
        raw = this.readQuoted();
        quoted = true;
      } else {
        while (/[^,()\n]/.test(this.src[this.pos] ?? '\n')) this.pos++;
        if (this.pos >= this.src.length || this.code() === LF) {
          throw this.errAt(open, 'unterminated facets: expected ")"');
        }
        raw = this.src.slice(valAt, this.pos).trim();
        if (raw.length === 0) throw this.errAt(valAt, `facet ${key} has no value`);
      }
      if (seen.has(key)) throw this.errAt(keyAt, `facet key ${key} is repeated`);
      seen.add(key);
      try {
        out.push(facetValue(key, raw, quoted));
      } catch (err) {
        if (err instanceof ValueError) throw this.errAt(valAt, err.message);
        throw err;
      }
      this.skipInline();
      const c = this.code();
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x29) {
        this.pos++;
        break;
      }
      if (c === -1 || c === LF) throw this.errAt(open, 'unterminated facets: expected ")"');
      throw this.errAt(this.pos, `expected "," or ")" in facets, got ${this.describe()}`);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** One statement from a non-blank character through its final `.` and the rest of its line. */
  statement(opts: StatementOptions): NQuad {
    const line = this.lineOf(this.pos);
    const subject = this.subject(opts.allowVars);
    this.needSpace('predicate');
    const predicate = this.predicate(opts.allowStar);
    this.needSpace('object');
    const objAt = this.pos;
    const object = this.object(opts.allowStar, opts.allowVars);
    if (predicate === '*' && object.kind !== 'star') {
      throw this.errAt(objAt, 'with "*" as predicate the object must be "*" too');
    }
    const quad: NQuad = { subject, predicate, object, facets: [], line };
    this.skipInline();
    let c = this.code();
    if (c === 0x3c || c === 0x5f) {
      if (c === 0x3c) quad.label = this.readIri().text;
      else quad.label = `_:${this.readBlank()}`;
      this.skipInline();
      c = this.code();
    }
    if (c === 0x28) {
      quad.facets = this.facets();
      this.skipInline();
      c = this.code();
    }
    if (c !== 0x2e) {
      throw this.errAt(this.pos, `expected "." at the end of the N-Quad, got ${this.describe()}`);
    }
    this.pos++;
    this.skipInline();
    c = this.code();
    if (c === 0x23) this.skipComment();
    else if (c !== -1 && c !== LF && !(opts.closers && opts.closers.includes(this.src[this.pos]!))) {
      throw this.errAt(this.pos, `unexpected ${this.describe()} after the final "." (one N-Quad per line)`);
    }
    return quad;
  }

  private needSpace(what: string): void {
    const c = this.code();
    if (c !== SP && c !== TAB) {
      throw this.errAt(this.pos, `expected whitespace before the ${what}, got ${this.describe()}`);
    }
    this.skipInline();
  }
}

/**
 * Parses one line of an N-Quads file (`lineNo` is used in errors). Returns `undefined` for a
 * blank or comment line.
 */
export function parseNQuadLine(
  line: string,
  lineNo: number,
  opts: StatementOptions = { allowStar: false },
): NQuad | undefined {
  const s = new NQuadScanner(
    line,
    (off, reason) => new ParseError(lineNo, off + 1, reason),
    0,
    () => lineNo,
  );
  s.skipBetween();
  if (s.pos >= line.length) return undefined;
  return s.statement(opts);
}

/** Parses a whole N-Quads text (one statement per line). */
export function parseNQuads(text: string, opts: StatementOptions = { allowStar: false }): NQuad[] {
  const positions = new Positions(text);
  const s = new NQuadScanner(
    text,
    (o, r) => positions.error(o, r),
    0,
    (o) => positions.at(o).line,
  );
  const out: NQuad[] = [];
  for (;;) {
    s.skipBetween();
    if (s.pos >= text.length) return out;
    out.push(s.statement(opts));
  }
}
