import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  FACET_TYPE_IDS,
  parseMutationBody,
  parseNQuadLine,
  parseNQuads,
  parseNQuadsStream,
  type NQuad,
} from '../src/index.js';
import { parseErrorOf } from './helpers.js';

function one(line: string, allowStar = false): NQuad {
  const q = parseNQuadLine(line, 1, { allowStar });
  if (!q) throw new Error('no quad');
  return q;
}

const err = parseErrorOf;

describe('N-Quads', () => {
  it('subjects: <0x..>, <_:b>, _:b, <iri>, decimal uid', () => {
    expect(one('<0x1f> <name> "a" .').subject).toEqual({ kind: 'uid', uid: 31n });
    expect(one('<_:uidf906e> <name> "a" .').subject).toEqual({ kind: 'blank', name: 'uidf906e' });
    expect(one('_:alice <name> "a" .').subject).toEqual({ kind: 'blank', name: 'alice' });
    expect(one('<m.0gdqy> <name> "a" .').subject).toEqual({ kind: 'iri', iri: 'm.0gdqy' });
    expect(one('<42> <name> "a" .').subject).toEqual({ kind: 'uid', uid: 42n });
    expect(one('<0xffffffffffffffff> <p> "a" .').subject).toEqual({ kind: 'uid', uid: (1n << 64n) - 1n });
  });

  it('objects: nodes, literals with escapes, @lang, ^^types, labels, comments', () => {
    expect(one('_:a <friend> <0x2> .').object).toEqual({ kind: 'uid', uid: 2n });
    expect(one('_:a <friend> _:b.').object).toEqual({ kind: 'blank', name: 'b' });
    expect(one('_:a <name> "q\\"\\\\\\n\\t\\r\\u00e9\\U0001F600" .').object).toEqual({
      kind: 'literal',
      value: 'q"\\\n\t\ré😀',
      valType: 'default',
    });
    expect(one('_:a <name> "Films directed"@en .').object).toMatchObject({ lang: 'en', valType: 'default' });
    expect(one('_:a <name> "x"@zh-Hant .').object).toMatchObject({ lang: 'zh-Hant' });
    const typed: [string, string][] = [
      ['"5"^^<xs:int>', 'int'],
      ['"1.5"^^<xs:float>', 'float'],
      ['"true"^^<xs:boolean>', 'bool'],
      ['"2020-01-01T00:00:00Z"^^<xs:dateTime>', 'datetime'],
      ['"s"^^<xs:string>', 'string'],
      ['"{\\"type\\":\\"Point\\",\\"coordinates\\":[1,2]}"^^<geo:geojson>', 'geo'],
      ['"secret123"^^<xs:password>', 'password'],
      ['"5"^^<http://www.w3.org/2001/XMLSchema#int>', 'int'],
      ['"5"^^<http://www.w3.org/2001/XMLSchema#integer>', 'int'],
      ['"1976-06-19"^^<http://www.w3.org/2001/XMLSchema#date>', 'datetime'],
      ['"1976"^^<http://www.w3.org/2001/XMLSchema#gYear>', 'datetime'],
      ['"2001-01-01T10:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>', 'datetime'],
      ['"s"^^<http://www.w3.org/2001/XMLSchema#string>', 'string'],
      ['"2.5"^^<http://www.w3.org/2001/XMLSchema#double>', 'float'],
      ['"2.5"^^<http://www.w3.org/2001/XMLSchema#float>', 'float'],
      ['"false"^^<http://www.w3.org/2001/XMLSchema#boolean>', 'bool'],
    ];
    for (const [lit, t] of typed)
      expect(one(`_:a <p> ${lit} .`).object).toMatchObject({ kind: 'literal', valType: t });
    expect(one('_:a <p> "x" <graph1> .').label).toBe('graph1');
    expect(one('_:a <p> "x" . # trailing comment').object).toMatchObject({ value: 'x' });
    expect(one('_:a\t<p>\t"x"\t.').predicate).toBe('p');
    expect(parseNQuadLine('   # only a comment', 1)).toBeUndefined();
    expect(parseNQuadLine('', 1)).toBeUndefined();
  });

  it('facets with Dgraph’s typing rules', () => {
    const q = one(
      '_:a <friend> _:b (since=2006-01-02T15:04:05, weight=0.5, close=true, n=0x1f, k=-7, note="hi, \\"you\\"", z=2021) .',
    );
    expect(q.facets.map((f) => [f.key, f.valType, f.value])).toEqual([
      ['close', 'bool', true],
      ['k', 'int', -7n],
      ['n', 'int', 31n],
      ['note', 'string', 'hi, "you"'],
      ['since', 'datetime', '2006-01-02T15:04:05'],
      ['weight', 'float', 0.5],
      ['z', 'int', 2021n],
    ]);
    const f = Object.fromEntries(q.facets.map((x) => [x.key, x.bytes.toString('hex')]));
    expect(f).toMatchObject({
      close: '01',
      k: 'f9ffffffffffffff',
      n: '1f00000000000000',
      weight: '000000000000e03f',
    });
    expect(f.since).toBe('010000000ebb4b37e500000000ffff');
    expect(FACET_TYPE_IDS).toEqual({ string: 0, int: 1, float: 2, bool: 3, datetime: 4 });
    expect(one('_:a <p> "x" () .').facets).toEqual([]);
    expect(one('_:a <p> "x" <lbl> (a=1) .')).toMatchObject({ label: 'lbl', facets: [{ key: 'a' }] });
  });

  it('deletes: * as predicate and object', () => {
    expect(one('<0x1> * * .', true)).toMatchObject({ predicate: '*', object: { kind: 'star' } });
    expect(one('<0x1> <p> * .', true)).toMatchObject({ predicate: 'p', object: { kind: 'star' } });
  });

  it.each([
    ['<0x1> <name> "abc"^^<xs:int> .', 'line 1, column 14: "abc" is not a valid int'],
    ['<0x1> <p> "1.x"^^<xs:float> .', 'line 1, column 11: "1.x" is not a valid float'],
    ['<0x1> <p> "maybe"^^<xs:boolean> .', 'line 1, column 11: "maybe" is not a valid bool'],
    ['<0x1> <p> "2021-02-30"^^<xs:dateTime> .', 'line 1, column 11: "2021-02-30": day out of range'],
    ['<0x1> <p> "{"^^<geo:geojson> .', 'line 1, column 11: "{" is not a valid GeoJSON geometry'],
    [
      '<0x1> <p> "abc"^^<xs:password> .',
      'line 1, column 11: password too short: it needs at least 6 characters',
    ],
    ['<0x1> <p> "1"^^<xs:long> .', 'line 1, column 16: unknown datatype <xs:long>'],
    ['<0x1> <p> "x"^<xs:int> .', 'line 1, column 14: expected "^^<type>" after the literal'],
    ['<0x1> <p> "x"@ .', 'line 1, column 14: invalid language tag "@"'],
    ['<0x1> <p> "unterminated .', "line 1, column 11: unterminated string literal: expected '\"'"],
    ['<0x1> <p> "bad \\q" .', 'line 1, column 16: invalid escape \\q in string literal'],
    ['<0x1> <p> "\\u12" .', 'line 1, column 12: invalid escape \\u: expected 4 hex digits'],
    ['<0x1> <p> "x"', 'line 1, column 14: expected "." at the end of the N-Quad, got end of input'],
    [
      '<0x1> <p> "x" . <0x2> <p> "y" .',
      'line 1, column 17: unexpected "<" after the final "." (one N-Quad per line)',
    ],
    ['<0x1> <p> "x" junk .', 'line 1, column 15: expected "." at the end of the N-Quad, got "j"'],
    ['"x" <p> "x" .', 'line 1, column 1: expected a subject (<0x..>, _:name or <iri>), got "\\""'],
    ['<0x1> "p" "x" .', 'line 1, column 7: expected a predicate (<name>), got "\\""'],
    ['<0x1> <p> x .', 'line 1, column 11: expected an object (<0x..>, _:name, <iri> or "literal"), got "x"'],
    ['<0x1><p> "x" .', 'line 1, column 6: expected whitespace before the predicate, got "<"'],
    [
      '<0x1> <~friend> <0x2> .',
      'line 1, column 7: reverse predicate <~friend> cannot be written: mutate <friend> instead',
    ],
    ['<0x1> * * .', 'line 1, column 7: "*" as predicate is only allowed in delete'],
    ['<0x1> <p> * .', 'line 1, column 11: "*" as object is only allowed in delete'],
    ['<0x0> <p> "x" .', 'line 1, column 1: uid 0 is not a valid node'],
    ['<0x10000000000000000> <p> "x" .', 'line 1, column 1: uid 0x10000000000000000 does not fit in 64 bits'],
    ['<0x1> <> "x" .', 'line 1, column 7: empty IRI <>'],
    ['<0x1> <a b> "x" .', 'line 1, column 9: character " " is not allowed in an IRI'],
    ['<0x1 <p> "x" .', 'line 1, column 5: character " " is not allowed in an IRI'],
    ['_: <p> "x" .', 'line 1, column 1: empty blank node label after "_:"'],
    ['<0x1> <p> "x" (a=1, a=2) .', 'line 1, column 21: facet key a is repeated'],
    [
      '<0x1> <p> "x" (a=hello) .',
      'line 1, column 18: facet a: cannot parse "hello" as int, float, bool or datetime (quote it for a string)',
    ],
    [
      '<0x1> <p> "x" (a=99999999999999999999) .',
      'line 1, column 18: facet a: value 99999999999999999999 is out of the int64 range',
    ],
    ['<0x1> <p> "x" (a=NaN) .', 'line 1, column 18: facet a: NaN is not a valid value'],
    ['<0x1> <p> "x" (a=) .', 'line 1, column 18: facet a has no value'],
    ['<0x1> <p> "x" (a 1) .', 'line 1, column 18: expected "=" after facet key a, got "1"'],
    ['<0x1> <p> "x" (a=1 .', 'line 1, column 15: unterminated facets: expected ")"'],
    ['<0x1> <p> "x" (=1) .', 'line 1, column 16: expected a facet key, got "="'],
  ])('%s → %s', (line, message) => {
    expect(err(() => parseNQuadLine(line, 1, { allowStar: false }))).toBe(message);
  });

  it('star rules in deletes', () => {
    expect(err(() => parseNQuadLine('<0x1> * <0x2> .', 1, { allowStar: true }))).toBe(
      'line 1, column 9: with "*" as predicate the object must be "*" too',
    );
  });

  it('parseNQuads gives each quad its line; errors carry the line', () => {
    const qs = parseNQuads('# header\n<0x1> <a> "x" .\n\n<0x2> <b> "y" .\n');
    expect(qs.map((q) => q.line)).toEqual([2, 4]);
    expect(err(() => parseNQuads('<0x1> <a> "x" .\n\n  <0x2> <b> "3"^^<xs:int> .\n<0x3> <c> bad .'))).toBe(
      'line 4, column 11: expected an object (<0x..>, _:name, <iri> or "literal"), got "b"',
    );
  });
});

describe('parseMutationBody', () => {
  it('set and delete blocks', () => {
    const m = parseMutationBody(`{
  set {
    _:alice <name> "Alice" .   # a comment
    _:alice <friend> _:bob (since=2006-01-02) .
  }
  delete {
    <0x1> * * .
    <0x2> <name> * .
    <0x3> <name> "old" .
  }
}`);
    expect(m.set.map((q) => q.line)).toEqual([3, 4]);
    expect(m.del.map((q) => [q.line, q.predicate, q.object.kind])).toEqual([
      [7, '*', 'star'],
      [8, 'name', 'star'],
      [9, 'name', 'literal'],
    ]);
  });

  it('one-liners, repeated and empty blocks, bare N-Quads', () => {
    expect(parseMutationBody('{ set { <0x1> <name> "a}b" . } }').set[0]!.object).toMatchObject({
      value: 'a}b',
    });
    const m = parseMutationBody('{ delete { <0x1> <p> * .} set { } set { <0x1> <p> "1" . } }');
    expect([m.set.length, m.del.length]).toEqual([1, 1]);
    expect(parseMutationBody('<0x1> <p> "1" .\n<0x2> <p> "2" .\n').set).toHaveLength(2);
    expect(parseMutationBody('  \n# nothing\n')).toEqual({ set: [], del: [] });
    expect(parseMutationBody('{}')).toEqual({ set: [], del: [] });
  });

  it.each([
    ['{ set { <0x1> <p> "x" . }', 'line 1, column 1: unterminated mutation: expected "}"'],
    ['{\n  set {\n    <0x1> <p> "x" .\n', 'line 2, column 7: unterminated set block: expected "}"'],
    ['{ upsert { } }', 'line 1, column 3: expected "set {" or "delete {", got "upsert"'],
    ['{ set <0x1> }', 'line 1, column 7: expected "{" after set'],
    ['{ set { <0x1> * * . } }', 'line 1, column 15: "*" as predicate is only allowed in delete'],
    ['{ set { } } extra', 'line 1, column 13: unexpected text after the mutation\'s closing "}"'],
    ['{\n set {\n  <0x1> <age> "abc"^^<xs:int> .\n }\n}', 'line 3, column 15: "abc" is not a valid int'],
    ['<0x1> <p> * .', 'line 1, column 11: "*" as object is only allowed in delete'],
    [
      '{ set { <0x1> <p> "x" . <0x2> <p> "y" . } }',
      'line 1, column 25: unexpected "<" after the final "." (one N-Quad per line)',
    ],
  ])('%j → %s', (text, message) => {
    expect(err(() => parseMutationBody(text))).toBe(message);
  });
});

describe('parseNQuadsStream', () => {
  const text = '<0x1> <a> "x" .\r\n# c\n<0x2> <b> "é" .\n<0x3> <c> "z" .';

  async function collect(input: AsyncIterable<unknown>, batchSize?: number): Promise<NQuad[][]> {
    const out: NQuad[][] = [];
    for await (const b of parseNQuadsStream(input, { batchSize })) out.push(b);
    return out;
  }

  it('plain text in odd chunks, CRLF, last line without newline, batches', async () => {
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const batches = await collect(Readable.from(chunks), 2);
    expect(batches.map((b) => b.map((q) => q.line))).toEqual([[1, 3], [4]]);
    expect(batches[0]![1]!.object).toMatchObject({ value: 'é' });
  });

  it('gzip detected by its magic bytes', async () => {
    const batches = await collect(Readable.from([gzipSync(text)]));
    expect(batches.flat().map((q) => q.predicate)).toEqual(['a', 'b', 'c']);
  });

  it('errors carry the line number in the file', async () => {
    await expect(
      collect(Readable.from([Buffer.from('<0x1> <a> "x" .\n\n<0x2> <b> oops .\n')])),
    ).rejects.toThrow('line 3, column 11: expected an object');
  });
});
