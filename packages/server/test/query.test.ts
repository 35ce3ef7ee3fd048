import { describe, expect, it } from 'vitest';
import { parseQuery, type QueryBlock } from '../src/index.js';
import { parseErrorOf } from './helpers.js';

const err = (text: string): string => parseErrorOf(() => parseQuery(text));

describe('parseQuery', () => {
  it('the documented subset', () => {
    const q = parseQuery(`{
  q(func: uid(0x1, 0x2, 3), first: 10, offset: 2) {
    uid
    name
    name@en
    friend (first: 2) { name }
    ~friend { name }
    expand(_all_)
    dgraph.type
    count(friend)
    n: count(~friend)
    who: <http://schema.org/name>
    id: uid
  }
  people(func: has(name)) { uid }
  alice(func: eq(name, "Alice")) { uid }
  many(func: eq(age, [30, -1, 2.5, true])) { uid }
}`);
    expect(q.blocks.map((b) => b.name)).toEqual(['q', 'people', 'alice', 'many']);
    const b = q.blocks[0]!;
    expect(b).toMatchObject({
      func: { name: 'uid', uids: [1n, 2n, 3n], vars: [] },
      first: 10,
      offset: 2,
      line: 2,
      column: 3,
    });
    expect(b.children).toEqual([
      { kind: 'uid' },
      { kind: 'predicate', predicate: 'name', reverse: false },
      { kind: 'predicate', predicate: 'name', reverse: false, langs: ['en'] },
      {
        kind: 'predicate',
        predicate: 'friend',
        reverse: false,
        first: 2,
        children: [{ kind: 'predicate', predicate: 'name', reverse: false }],
      },
      {
        kind: 'predicate',
        predicate: 'friend',
        reverse: true,
        children: [{ kind: 'predicate', predicate: 'name', reverse: false }],
      },
      { kind: 'expand', arg: '_all_' },
      { kind: 'predicate', predicate: 'dgraph.type', reverse: false },
      { kind: 'count', predicate: 'friend', reverse: false },
      { kind: 'count', predicate: 'friend', reverse: true, alias: 'n' },
      { kind: 'predicate', predicate: 'http://schema.org/name', reverse: false, alias: 'who' },
      { kind: 'uid', alias: 'id' },
    ]);
    expect(q.blocks[1]!.func).toEqual({ name: 'has', predicate: 'name' });
    expect(q.blocks[2]!.func).toEqual({ name: 'eq', predicate: 'name', values: ['Alice'] });
    expect(q.blocks[3]!.func).toEqual({ name: 'eq', predicate: 'age', values: [30n, -1n, 2.5, true] });
  });

  it("schema queries, as Dgraph's", () => {
    expect(parseQuery('schema {}')).toEqual({ blocks: [], schema: { fields: [] } });
    expect(parseQuery('schema(pred: [name, <age>]) { type index type }').schema).toEqual({
      predicates: ['name', 'age'],
      fields: ['type', 'index'],
    });
    expect(parseQuery('schema(pred: name) {}').schema).toEqual({ predicates: ['name'], fields: [] });
    expect(parseQuery('schema(type: [Person, Team]) {}').schema).toEqual({
      types: ['Person', 'Team'],
      fields: [],
    });
    expect(() => parseQuery('schema(kind: x) {}')).toThrow('expected "pred:" or "type:" in schema(...)');
    expect(() => parseQuery('schema { colour }')).toThrow('expected a schema field');
    expect(() => parseQuery('schema {} { q(func: uid(1)) { uid } }')).toThrow('after the schema query');
    expect(() => parseQuery('schema(pred: []) {}')).toThrow('expected a predicate name');
  });

  it('word matches and filters', () => {
    const q = parseQuery(`{
  a(func: anyofterms(name, "blue sky"), first: 2) @filter(NOT has(age) and (uid(0x1) OR alloftext(about@fr, "chien")) or eq(n, 1)) {
    friend @filter(anyoftext(about@., "dog")) (first: 1) { uid }
  }
}`);
    const b = q.blocks[0]!;
    expect(b.func).toEqual({ name: 'anyofterms', predicate: 'name', text: 'blue sky' });
    expect(b.first).toBe(2);
    expect(b.filter).toEqual({
      op: 'or',
      args: [
        {
          op: 'and',
          args: [
            { op: 'not', arg: { op: 'func', func: { name: 'has', predicate: 'age' } } },
            {
              op: 'or',
              args: [
                { op: 'func', func: { name: 'uid', uids: [1n], vars: [] } },
                { op: 'func', func: { name: 'alloftext', predicate: 'about', lang: 'fr', text: 'chien' } },
              ],
            },
          ],
        },
        { op: 'func', func: { name: 'eq', predicate: 'n', values: [1n] } },
      ],
    });
    expect(
      parseQuery('{ q(func: between(n, -1, 2.5)) @filter(gt(d, "2020")) { uid } }').blocks[0],
    ).toMatchObject({
      func: { name: 'between', predicate: 'n', values: [-1n, 2.5] },
      filter: { op: 'func', func: { name: 'gt', predicate: 'd', values: ['2020'] } },
    });
    expect(b.children[0]).toMatchObject({
      predicate: 'friend',
      filter: { op: 'func', func: { name: 'anyoftext', predicate: 'about', lang: '.', text: 'dog' } },
    });
  });

  it('variables, math, aggregates, languages and directives', () => {
    const q = parseQuery(`{
  me as var(func: has(name))
  var(func: uid(me)) @cascade(name) { f as friend @facets(w as weight, c: close) { a as age } n as count(friend) }
  q(func: uid(f, 0x2), orderdesc: val(a), after: 0x1) @normalize {
    val(a) t: math(a * 2 + max(n, 3)) s: sum(val(w)) name@en:fr:. all: name@*
    friend @facets(eq(close, true) and not ge(weight, 2)) @facets(orderasc: weight) @groupby(age) { count(uid) }
  }
  agg() { m: min(val(a)) }
  path as shortest(from: 0x1, to: 0x5, numpaths: 2) { friend }
}`);
    expect(q.blocks.map((b) => [b.name, b.varName])).toEqual([
      ['var', 'me'],
      ['var', undefined],
      ['q', undefined],
      ['agg', undefined],
      ['shortest', 'path'],
    ]);
    const [, v, b, agg, sp] = q.blocks as [unknown, QueryBlock, QueryBlock, QueryBlock, QueryBlock];
    expect(v.cascade).toEqual(['name']);
    expect(v.children[0]).toMatchObject({
      varName: 'f',
      facets: [
        {
          keys: [
            { key: 'weight', varName: 'w' },
            { key: 'close', alias: 'c' },
          ],
        },
      ],
      children: [{ kind: 'predicate', predicate: 'age', varName: 'a' }],
    });
    expect(v.children[1]).toMatchObject({ kind: 'count', varName: 'n' });
    expect(b.func).toEqual({ name: 'uid', uids: [2n], vars: ['f'] });
    expect(b.order).toEqual([{ predicate: 'val(a)', desc: true, valueVar: 'a' }]);
    expect(b.after).toBe(1n);
    expect(b.normalize).toBe(true);
    expect(b.children.slice(0, 5)).toMatchObject([
      { kind: 'val', varName: 'a' },
      {
        kind: 'math',
        alias: 't',
        expr: {
          op: 'call',
          fn: '+',
          args: [
            {
              op: 'call',
              fn: '*',
              args: [
                { op: 'var', name: 'a' },
                { op: 'num', value: 2, int: true },
              ],
            },
            {
              op: 'call',
              fn: 'max',
              args: [
                { op: 'var', name: 'n' },
                { op: 'num', value: 3, int: true },
              ],
            },
          ],
        },
      },
      { kind: 'aggregate', fn: 'sum', of: { varName: 'w' }, alias: 's' },
      { kind: 'predicate', predicate: 'name', langs: ['en', 'fr', '.'] },
      { kind: 'predicate', predicate: 'name', langs: ['*'], alias: 'all' },
    ]);
    expect(b.children[5]).toMatchObject({
      groupby: [{ predicate: 'age', reverse: false }],
      facets: [
        {
          filter: {
            op: 'and',
            args: [
              { op: 'func', name: 'eq', key: 'close', values: [true] },
              { op: 'not', arg: { op: 'func', name: 'ge', key: 'weight', values: [2n] } },
            ],
          },
        },
        { order: { key: 'weight', desc: false } },
      ],
    });
    expect(agg.func).toBeUndefined();
    expect(sp.shortest).toEqual({ from: { uid: 1n }, to: { uid: 5n }, numpaths: 2 });
    // GraphQL-style variables: declared, defaulted, given
    const withVars = parseQuery(
      'query q($n: int = 2, $e: string) { q(func: eq(email, $e), first: $n) { uid } }',
      {
        $e: 'a@x',
      },
    );
    expect(withVars.blocks[0]).toMatchObject({ first: 2, func: { name: 'eq', values: ['a@x'] } });
    // functions on languages, values of variables and reverse edges
    expect(
      parseQuery(
        '{ q(func: ge(title@de, "x")) @filter(has(~boss) and lt(val(c), 3) and eq(age, val(a))) { uid } }',
      ).blocks[0],
    ).toMatchObject({
      func: { name: 'ge', predicate: 'title', lang: 'de', values: ['x'] },
      filter: {
        op: 'and',
        args: [
          { func: { name: 'has', predicate: 'boss', reverse: true } },
          { func: { name: 'lt', ofVar: 'c', values: [3n] } },
          { func: { name: 'eq', predicate: 'age', values: [], valueVars: ['a'] } },
        ],
      },
    });
  });

  it('query keyword with a name', () => {
    expect(parseQuery('query me { a(func: uid(1)) { uid } }').name).toBe('me');
  });

  it.each([
    ['', 'line 1, column 1: expected "{" to open the query, got end of input'],
    ['{ }', 'line 1, column 1: the query has no blocks'],
    ['{ q(func: uid(0x1)) { name }', 'line 1, column 1: unterminated query: expected "}"'],
    ['{\n  q(func: uid(0x1)) {\n    name\n', 'line 2, column 21: unterminated block: expected "}"'],
    ['{ q(func: foo(x)) { uid } }', 'line 1, column 11: Function name: foo is not valid.'],
    ['{ q(uid(0x1)) { uid } }', 'line 1, column 5: expected "func:" as the first argument of q, got "uid"'],
    ['{ q(func: uid(0x0)) { uid } }', 'line 1, column 15: uid 0x0 is out of range'],
    ['{ q(func: uid("abc")) { uid } }', 'line 1, column 15: expected a uid (0x.. or a decimal), got "abc"'],
    ['{ q(func: uid(0x1 0x2)) { uid } }', 'line 1, column 19: expected "," or ")" in uid(...), got "0x2"'],
    ['{ q(func: eq(name)) { uid } }', 'line 1, column 18: expected "," after eq(name, got ")"'],
    [
      '{ q(func: eq(name, bob)) { uid } }',
      'line 1, column 20: expected a value (a "string", a number, true or false), got "bob"',
    ],
    [
      '{ q(func: eq(name, ["a" "b"])) { uid } }',
      'line 1, column 25: expected "," or "]" in the value list, got "b"',
    ],
    ['{ q(func: eq(~friend, 1)) { uid } }', 'line 1, column 15: eq() takes a predicate, not a reverse edge'],
    ['{ q(func: has(name), first: x) { uid } }', 'line 1, column 29: first must be an integer, got "x"'],
    ['{ q(func: has(name), offset: -1) { uid } }', 'line 1, column 30: offset must not be negative'],
    [
      '{ q(func: has(name), before: 0x1) { uid } }',
      'line 1, column 22: unknown argument "before": expected first, offset, after, orderasc or orderdesc',
    ],
    ['{ q(func: has(name), first: 1, first: 2) { uid } }', 'line 1, column 32: first is given twice'],
    ['{ q(func: has(name)) @nosuch { uid } }', 'line 1, column 22: Unknown directive [nosuch]'],
    [
      '{ q(func: has(name)) @facets { uid } }',
      'line 1, column 3: @facets is not allowed at the root of a block',
    ],
    [
      '{ q(func: has(name)) { friend @facets(like(close, true)) { uid } } }',
      'line 1, column 39: like is not a function facets can be filtered with (eq le lt ge gt between has)',
    ],
    [
      '{ q(func: has(name)) @filter(has(a)) @filter(has(b)) { uid } }',
      'line 1, column 39: Use and/or to combine filters: @filter is given twice',
    ],
    ['{ q(func: has(name)) @filter(has(a) and) { uid } }', 'line 1, column 40: Invalid filter statement'],
    [
      '{ q(func: has(name)) @groupby(age,) { count(uid) } }',
      'line 1, column 34: Unnecessary comma in groupby()',
    ],
    [
      '{ q(func: has(name)) { math(1 +) } }',
      'line 1, column 24: Function math should be used with a variable or have an alias',
    ],
    [
      '{ q(func: has(name)) { m: math(1 + ) } }',
      'line 1, column 36: math() ends where an operand was expected',
    ],
    ['{ q(func: has(name)) { m: math(a ** b) } }', 'line 1, column 35: unexpected "*" in math()'],
    [
      '{ q(func: has(name)) { m: math(sqrt(a, b)) } }',
      'line 1, column 32: sqrt() in math() takes 1 argument(s), got 2',
    ],
    [
      `{ q(func: has(name)) { m: math(${'('.repeat(100)}a${')'.repeat(100)}) } }`,
      'line 1, column 96: math() is nested too deeply',
    ],
    [
      '{ var(func: has(a)) { x as a } q(func: has(a), orderasc: val(x), orderasc: b) { uid } }',
      'line 1, column 66: Val() is not allowed in multiple sorting. Got: [x]',
    ],
    [
      '{ q(func: has(name)) { name@en:* } }',
      'line 1, column 34: If * is used, no other languages are allowed in the language list',
    ],
    ['query q($a: int) { q(func: eq(age, $b)) { uid } }', 'line 1, column 36: Variable not defined $b'],
    [
      'query q($a: int!) { q(func: eq(age, $a)) { uid } }',
      'line 1, column 9: Variable $a should be initialised',
    ],
    [
      'query q($a: int = x) { q(func: eq(age, $a)) { uid } }',
      'line 1, column 9: Expected int for $a but got "x"',
    ],
    [
      '{ q(func: has(name)) @filter((has(a)) { uid } }',
      'line 1, column 39: expected ")" to close @filter(, got "{"',
    ],
    [
      '{ q(func: has(name)) { name @filter(has(a)) } }',
      'line 1, column 24: @filter on name needs a block { ... } of its nodes',
    ],
    ['{ q(func: between(n, 1)) { uid } }', 'line 1, column 23: expected "," after between(n, ..., got ")"'],
    [
      '{ q(func: ge(n, [1, 2])) { uid } }',
      'line 1, column 17: expected a value (a "string", a number, true or false), got "["',
    ],
    [
      '{ q(func: anyofterms(name, x)) { uid } }',
      'line 1, column 28: anyofterms() takes a "string" of words, got "x"',
    ],
    [
      '{ q(func: alloftext(name@, "x")) { uid } }',
      'line 1, column 26: expected a language tag or "." after @, got ","',
    ],
    [
      '{ q(func: has(name)) { "name" } }',
      'line 1, column 24: expected a predicate, uid, count(...) or expand(_all_), got "name"',
    ],
    [
      '{ q(func: has(name)) { uid } q(func: has(age)) { uid } }',
      'line 1, column 30: Duplicate aliases not allowed: q',
    ],
    ['{ q(func: has(name)) { uid } } extra', 'line 1, column 32: unexpected "extra" after the query'],
    ['{ 1q(func: has(name)) { uid } }', 'line 1, column 3: expected a block name, got "1q"'],
  ])('%j → %s', (text, message) => {
    expect(err(text)).toBe(message);
  });
});
