import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSchema } from '../src/index.js';
import { FILM_DATA, parseErrorOf } from './helpers.js';

const DATA = FILM_DATA;
const err = (text: string): string => parseErrorOf(() => parseSchema(text));

describe('parseSchema', () => {
  it('the film data set’s schema', () => {
    const s = parseSchema(readFileSync(path.join(DATA, 'goldendata.schema'), 'utf8'));
    expect(s.types).toEqual([]);
    expect(s.predicates).toEqual([
      {
        name: 'name',
        valueType: 'string',
        list: false,
        index: ['term'],
        reverse: false,
        count: false,
        upsert: false,
        lang: true,
        unique: false,
        noconflict: false,
        line: 1,
        column: 1,
      },
      {
        name: 'initial_release_date',
        valueType: 'datetime',
        list: false,
        index: ['year'],
        reverse: false,
        count: false,
        upsert: false,
        lang: false,
        unique: false,
        noconflict: false,
        line: 2,
        column: 1,
      },
    ]);
  });

  it('every type, lists, directives, IRIs, comments and types', () => {
    const s = parseSchema(`
# people
name: string @index(exact, term, trigram, fulltext) @lang @upsert .
email: string @index(hash) @unique @upsert .
age: int @index(int) @count .
score: [float] @index(float) .
ok: bool @index(bool) .
born: datetime @index(day) .
loc: geo @index(geo) .
friend: [uid] @reverse @count @noconflict .
boss: uid .
pw: password .
blob: binary .
anything: default .
<http://schema.org/name>: string .
dgraph.type: [string] @index(exact) .
type: string .
type Person {
  name
  friend
  <~friend>
  age: int
}
type <Org> { name, boss }
`);
    const by = Object.fromEntries(s.predicates.map((p) => [p.name, p]));
    expect(Object.keys(by)).toHaveLength(15);
    expect(by.name).toMatchObject({
      index: ['exact', 'term', 'trigram', 'fulltext'],
      lang: true,
      upsert: true,
      line: 3,
    });
    expect(by.email).toMatchObject({ unique: true, upsert: true, index: ['hash'] });
    expect(by.score).toMatchObject({ valueType: 'float', list: true });
    expect(by.friend).toMatchObject({
      valueType: 'uid',
      list: true,
      reverse: true,
      count: true,
      noconflict: true,
    });
    expect(by['http://schema.org/name']).toMatchObject({ valueType: 'string' });
    expect(by.type).toMatchObject({ valueType: 'string' });
    expect(by.pw!.valueType).toBe('password');
    expect(s.types).toEqual([
      { name: 'Person', fields: ['name', 'friend', '~friend', 'age'], line: 18, column: 1 },
      { name: 'Org', fields: ['name', 'boss'], line: 24, column: 1 },
    ]);
  });

  it.each([
    [
      'age: int @index(term) .',
      'line 1, column 17: tokenizer "term" indexes string values; predicate age is of type int',
    ],
    [
      'name: string @index(int) .',
      'line 1, column 21: tokenizer "int" indexes int values; predicate name is of type string',
    ],
    [
      'd: datetime @index(exact) .',
      'line 1, column 20: tokenizer "exact" indexes string values; predicate d is of type datetime',
    ],
    [
      'name: string @index(foo) .',
      'line 1, column 21: unknown tokenizer "foo": expected one of term, fulltext, exact, hash, trigram, sha256, int, float, bool, year, month, day, hour, geo',
    ],
    ['name: string @index() .', 'line 1, column 21: @index needs at least one tokenizer'],
    ['name: string @index .', 'line 1, column 21: @index needs tokenizers: @index(name, ...)'],
    ['name: string @index(exact, exact) .', 'line 1, column 28: tokenizer "exact" is repeated for name'],
    [
      'd: datetime @index(year, day) .',
      'line 1, column 26: predicate d has two sortable tokenizers ("year" and "day"): keep one',
    ],
    ['friend: uid @index(exact) .', 'line 1, column 20: uid predicate friend cannot be indexed'],
    [
      'name: string @reverse .',
      'line 1, column 14: @reverse is only allowed on uid predicates; name is of type string',
    ],
    ['age: int @lang .', 'line 1, column 10: @lang is only allowed on string predicates; age is of type int'],
    ['name: string @upsert .', 'line 1, column 1: @upsert on predicate name needs an @index'],
    ['email: string @unique .', 'line 1, column 1: @unique on predicate email needs an @index'],
    [
      'name: string @foo .',
      'line 1, column 15: unknown directive @foo: expected @index, @reverse, @count, @upsert, @lang, @unique, @noconflict',
    ],
    ['name: string @count @count .', 'line 1, column 21: @count is repeated for predicate name'],
    [
      'name: strin .',
      'line 1, column 7: unknown type "strin" for predicate name: expected one of default, binary, int, float, bool, datetime, geo, uid, password, string',
    ],
    ['pw: [password] .', 'line 1, column 6: a password predicate cannot be a list'],
    ['friend: [uid .', 'line 1, column 14: expected "]" after [uid, got "."'],
    ['name: string', 'line 1, column 13: expected "." at the end of predicate name, got end of input'],
    ['name string .', 'line 1, column 6: expected ":" after predicate name, got "string"'],
    ['~friend: uid .', 'line 1, column 1: expected a predicate name or "type", got "~"'],
    ['<~friend>: uid .', 'line 1, column 1: predicate ~friend cannot start with "~"'],
    ['name: string .\nname: string .', 'line 2, column 1: predicate name is defined twice'],
    ['type A { x }\ntype A { y }', 'line 2, column 1: type A is defined twice'],
    ['type A {\n  x\n  x\n}', 'line 3, column 3: field x is repeated in type A'],
    ['type A {\n  x', 'line 2, column 4: unterminated type A: expected "}"'],
    ['type A { x: string @index(term) }', 'line 1, column 20: directives are not allowed on type fields'],
    ['name: string "x" .', 'line 1, column 14: expected "." at the end of predicate name, got "x"'],
    ['name: string @index(exact term) .', 'line 1, column 27: expected "," or ")" in @index, got "term"'],
    ['name: string ! .', 'line 1, column 14: expected "." at the end of predicate name, got "!"'],
  ])('%j → %s', (text, message) => {
    expect(err(text)).toBe(message);
  });
});
