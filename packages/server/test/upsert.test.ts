import { describe, expect, it } from 'vitest';
import { ParseError, ValueError } from '../src/parse/errors.js';
import { isUpsert, parseCond, parseUpsert } from '../src/parse/upsert.js';

describe('upsert blocks', () => {
  it('reads the query, the conditions and the mutations with uid(v) and val(v)', () => {
    const u = parseUpsert(`upsert {
  query { q(func: eq(email, "a@x")) { v as uid  n as name } }
  # a comment { with braces }
  mutation @if(eq(len(v), 0) OR (gt(len(v), 1) and not le(len(n), 3))) { set {
_:new <email> "a@x" .
} }
  mutation { set {
uid(v) <nick> val(n) .
uid(v) <friend> uid(v) .
} delete {
uid(v) <name> * .
} }
}`);
    expect(u.query).toBe('{ q(func: eq(email, "a@x")) { v as uid  n as name } }');
    expect(u.mutations).toHaveLength(2);
    expect(u.mutations[0]!.cond).toEqual({
      op: 'or',
      args: [
        { op: 'len', fn: 'eq', varName: 'v', n: 0 },
        {
          op: 'and',
          args: [
            { op: 'len', fn: 'gt', varName: 'v', n: 1 },
            { op: 'not', arg: { op: 'len', fn: 'le', varName: 'n', n: 3 } },
          ],
        },
      ],
    });
    const m = u.mutations[1]!.mutation;
    expect(m.set.map((q) => [q.subject, q.object])).toEqual([
      [
        { kind: 'var', name: 'v' },
        { kind: 'val', name: 'n' },
      ],
      [
        { kind: 'var', name: 'v' },
        { kind: 'var', name: 'v' },
      ],
    ]);
    expect(m.del[0]).toMatchObject({
      subject: { kind: 'var', name: 'v' },
      predicate: 'name',
      object: { kind: 'star' },
    });
    expect(isUpsert('  upsert {')).toBe(true);
    expect(isUpsert('{ set { } }')).toBe(false);
  });

  it.each([
    ['upsert { mutation { set {\n_:a <n> "x" .\n} } }', /an upsert block needs a query/],
    ['upsert { query { q(func: uid(1)) { v as uid } } }', /an upsert block needs a mutation/],
    ['upsert { query { q(func: uid(1)) { v as uid } } query { } mutation { set { } } }', /one query/],
    [
      'upsert { query { q(func: uid(1)) { v as uid } } mutation @if(len(v)) { set { } } }',
      /expected eq, lt, le, gt or ge/,
    ],
    [
      'upsert { query { q(func: uid(1)) { v as uid } } mutation @if(eq(len(v), x)) { set { } } }',
      /whole number/,
    ],
    ['upsert { query { q(func: uid(1)) { v as uid } } mutation { set {\nuid(v <n> "x" .\n} } }', /line 2/],
    ['upsert { query { q(func: uid(1) { v as uid } } mutation { set { } } ', /unterminated/],
    [
      'upsert { query { q(func: uid(1)) { v as uid } } mutation { set { } } } extra',
      /after the upsert block/,
    ],
    ['upsert { select { } }', /expected "query" or "mutation"/],
  ])('refuses %j', (text, msg) => {
    expect(() => parseUpsert(text)).toThrow(ParseError);
    expect(() => parseUpsert(text)).toThrow(msg);
  });

  it('conditions as JSON upserts give them', () => {
    expect(parseCond('@if(eq(len(v), 1))')).toEqual({ op: 'len', fn: 'eq', varName: 'v', n: 1 });
    expect(parseCond('ge(len(a), 2) and lt(len(b), 3)')).toMatchObject({ op: 'and' });
    expect(() => parseCond('@if(eq(len(v), 1)')).toThrow(ValueError);
    expect(() => parseCond(`@if(${'('.repeat(100)}eq(len(v), 1)${')'.repeat(100)})`)).toThrow(
      /nested too deeply/,
    );
  });
});
