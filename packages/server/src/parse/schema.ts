/**
 * Dgraph schema text (`/alter`): predicate lines and type blocks, validated as Dgraph's schema
 * parser does (`schema/parse.go`):
 *
 *   name: string @index(term, exact) @lang .
 *   friend: [uid] @reverse @count .
 *   type Person { name friend }
 */
import { Lexer, type Token } from './lexer.js';
import { VALUE_TYPES, type ValueType } from './values.js';

export interface PredicateSchema {
  name: string;
  valueType: ValueType;
  list: boolean;
  /** Tokenizer names, in the order written. */
  index: string[];
  reverse: boolean;
  count: boolean;
  upsert: boolean;
  lang: boolean;
  unique: boolean;
  noconflict: boolean;
  line: number;
  column: number;
}

export interface TypeSchema {
  name: string;
  /** Field predicates (a reverse field is written `~name`). */
  fields: string[];
  line: number;
  column: number;
}

export interface Schema {
  predicates: PredicateSchema[];
  types: TypeSchema[];
}

/** Tokenizer → the value type it indexes (`tok/tok.go`). */
export const TOKENIZERS: Readonly<Record<string, ValueType>> = {
  term: 'string',
  fulltext: 'string',
  exact: 'string',
  hash: 'string',
  trigram: 'string',
  sha256: 'string',
  int: 'int',
  float: 'float',
  bool: 'bool',
  year: 'datetime',
  month: 'datetime',
  day: 'datetime',
  hour: 'datetime',
  geo: 'geo',
};

/** Tokenizers whose tokens sort like their values; a predicate may have at most one. */
const SORTABLE = new Set(['exact', 'int', 'float', 'year', 'month', 'day', 'hour']);

const FLAGS = ['reverse', 'count', 'upsert', 'lang', 'unique', 'noconflict'] as const;

function name(lx: Lexer, what: string): Token {
  const t = lx.next();
  if (t.kind !== 'word' && t.kind !== 'iri')
    throw lx.error(t.start, `expected ${what}, got ${lx.describe(t)}`);
  return t;
}

function parsePredicate(lx: Lexer, nameTok: Token): PredicateSchema {
  const pos = lx.positions.at(nameTok.start);
  if (nameTok.text.startsWith('~')) {
    throw lx.error(nameTok.start, `predicate ${nameTok.text} cannot start with "~"`);
  }
  lx.expectPunct(':', `after predicate ${nameTok.text}`);
  let list = false;
  if (lx.isPunct('[')) {
    lx.next();
    list = true;
  }
  const typeTok = lx.next();
  if (typeTok.kind !== 'word' || !(VALUE_TYPES as readonly string[]).includes(typeTok.text)) {
    throw lx.error(
      typeTok.start,
      `unknown type ${lx.describe(typeTok)} for predicate ${nameTok.text}: expected one of ${VALUE_TYPES.join(', ')}`,
    );
  }
  const valueType = typeTok.text as ValueType;
  if (list) {
    lx.expectPunct(']', `after [${valueType}`);
    if (valueType === 'password') throw lx.error(typeTok.start, 'a password predicate cannot be a list');
  }
  const p: PredicateSchema = {
    name: nameTok.text,
    valueType,
    list,
    index: [],
    reverse: false,
    count: false,
    upsert: false,
    lang: false,
    unique: false,
    noconflict: false,
    line: pos.line,
    column: pos.column,
  };
  const seen = new Set<string>();
  while (lx.isPunct('@')) {
    const at = lx.next();
    const d = lx.next();
    if (d.kind !== 'word')
      throw lx.error(d.start, `expected a directive name after "@", got ${lx.describe(d)}`);
    if (seen.has(d.text)) throw lx.error(at.start, `@${d.text} is repeated for predicate ${p.name}`);
    seen.add(d.text);
    if (d.text === 'index') {
      if (!lx.isPunct('(')) throw lx.error(lx.peek().start, '@index needs tokenizers: @index(name, ...)');
      lx.next();
      let sortable: string | undefined;
      for (;;) {
        const t = lx.next();
        if (t.kind === 'punct' && t.text === ')' && p.index.length === 0) {
          throw lx.error(t.start, '@index needs at least one tokenizer');
        }
        if (t.kind !== 'word') throw lx.error(t.start, `expected a tokenizer name, got ${lx.describe(t)}`);
        const forType = TOKENIZERS[t.text];
        if (forType === undefined) {
          throw lx.error(
            t.start,
            `unknown tokenizer "${t.text}": expected one of ${Object.keys(TOKENIZERS).join(', ')}`,
          );
        }
        if (valueType === 'uid') throw lx.error(t.start, `uid predicate ${p.name} cannot be indexed`);
        if (forType !== valueType) {
          throw lx.error(
            t.start,
            `tokenizer "${t.text}" indexes ${forType} values; predicate ${p.name} is of type ${valueType}`,
          );
        }
        if (p.index.includes(t.text))
          throw lx.error(t.start, `tokenizer "${t.text}" is repeated for ${p.name}`);
        if (SORTABLE.has(t.text)) {
          if (sortable) {
            throw lx.error(
              t.start,
              `predicate ${p.name} has two sortable tokenizers ("${sortable}" and "${t.text}"): keep one`,
            );
          }
          sortable = t.text;
        }
        p.index.push(t.text);
        const sep = lx.next();
        if (sep.kind === 'punct' && sep.text === ')') break;
        if (sep.kind !== 'punct' || sep.text !== ',') {
          throw lx.error(sep.start, `expected "," or ")" in @index, got ${lx.describe(sep)}`);
        }
      }
      continue;
    }
    const flag = FLAGS.find((f) => f === d.text);
    if (!flag) {
      throw lx.error(d.start, `unknown directive @${d.text}: expected @index, @${FLAGS.join(', @')}`);
    }
    if (flag === 'reverse' && valueType !== 'uid') {
      throw lx.error(
        at.start,
        `@reverse is only allowed on uid predicates; ${p.name} is of type ${valueType}`,
      );
    }
    if (flag === 'lang' && valueType !== 'string') {
      throw lx.error(
        at.start,
        `@lang is only allowed on string predicates; ${p.name} is of type ${valueType}`,
      );
    }
    p[flag] = true;
  }
  if ((p.upsert || p.unique) && p.index.length === 0) {
    const which = p.upsert ? 'upsert' : 'unique';
    throw lx.error(nameTok.start, `@${which} on predicate ${p.name} needs an @index`);
  }
  const end = lx.next();
  if (end.kind !== 'punct' || end.text !== '.') {
    throw lx.error(end.start, `expected "." at the end of predicate ${p.name}, got ${lx.describe(end)}`);
  }
  return p;
}

function parseType(lx: Lexer, typeKw: Token): TypeSchema {
  const pos = lx.positions.at(typeKw.start);
  const n = name(lx, 'a type name');
  lx.expectPunct('{', `after type ${n.text}`);
  const fields: string[] = [];
  for (;;) {
    const t = lx.peek();
    if (t.kind === 'punct' && t.text === '}') {
      lx.next();
      break;
    }
    if (t.kind === 'eof') throw lx.error(t.start, `unterminated type ${n.text}: expected "}"`);
    if (t.kind === 'punct' && t.text === ',') {
      lx.next();
      continue;
    }
    let reverse = false;
    if (t.kind === 'punct' && t.text === '~') {
      lx.next();
      reverse = true;
    }
    const f = name(lx, `a field of type ${n.text}`);
    const field = reverse ? `~${f.text}` : f.text;
    if (fields.includes(field)) throw lx.error(f.start, `field ${field} is repeated in type ${n.text}`);
    fields.push(field);
    // Old syntax: `name: string` (the type is ignored, as Dgraph does).
    if (lx.isPunct(':')) {
      lx.next();
      if (lx.isPunct('[')) lx.next();
      const ty = lx.next();
      if (ty.kind !== 'word')
        throw lx.error(ty.start, `expected a type after "${field}:", got ${lx.describe(ty)}`);
      if (lx.isPunct(']')) lx.next();
      if (lx.isPunct('@')) throw lx.error(lx.peek().start, 'directives are not allowed on type fields');
    }
  }
  return { name: n.text, fields, line: pos.line, column: pos.column };
}

export function parseSchema(text: string): Schema {
  const lx = new Lexer(text);
  const out: Schema = { predicates: [], types: [] };
  const preds = new Set<string>();
  const types = new Set<string>();
  for (;;) {
    const t = lx.next();
    if (t.kind === 'eof') return out;
    if (t.kind === 'word' && t.text === 'type' && !lx.isPunct(':')) {
      const ty = parseType(lx, t);
      if (types.has(ty.name)) throw lx.error(t.start, `type ${ty.name} is defined twice`);
      types.add(ty.name);
      out.types.push(ty);
      continue;
    }
    if (t.kind !== 'word' && t.kind !== 'iri') {
      throw lx.error(t.start, `expected a predicate name or "type", got ${lx.describe(t)}`);
    }
    const p = parsePredicate(lx, t);
    if (preds.has(p.name)) throw lx.error(t.start, `predicate ${p.name} is defined twice`);
    preds.add(p.name);
    out.predicates.push(p);
  }
}
