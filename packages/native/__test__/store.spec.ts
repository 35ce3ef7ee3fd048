import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Native from '../index.js';

const native = createRequire(import.meta.url)('../index.js') as typeof Native;
const { PostingStore } = native;

const root = mkdtempSync(join(tmpdir(), 'strata-store-spec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VT = { STRING: 9, INT: 2 } as const;
const int = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
};
const str = (s: string) => Buffer.from(s, 'utf8');

describe('PostingStore', () => {
  const dir = join(root, 'p');

  it('alters, mutates, reads, exports, reopens', async () => {
    const s = new PostingStore(dir, { group: 1, create: true });
    expect(s.dir).toBe(dir);
    expect(s.meta()).toEqual({ group: 1, maxCommitTs: 0n, maxUid: 0n, formatVersion: 2 });

    await s.alter(1n, {
      predicates: [
        { predicate: 'name', valueType: 'string', index: ['hash', 'term'], lang: true },
        { predicate: 'age', valueType: 'int', index: ['int'] },
        { predicate: 'friend', valueType: 'uid', list: true, reverse: true, count: true },
        { predicate: 'tags', valueType: 'string', list: true },
      ],
      types: [{ name: 'Person', fields: ['name', 'age', 'friend'] }],
    });
    const schema = s.getSchema();
    const name = schema.predicates.find((p) => p.predicate === 'name')!;
    expect(name.valueType).toBe('string');
    expect(name.index).toEqual(['hash', 'term']);
    expect(name.lang).toBe(true);
    expect(schema.types).toEqual([{ name: 'Person', namespace: 0n, fields: ['name', 'age', 'friend'] }]);

    const r = await s.applyMutations(2n, [
      { op: 'set', subject: 1n, predicate: 'name', value: str('Alice Smith'), valType: VT.STRING },
      { op: 'set', subject: 1n, predicate: 'name', value: str('Alicia'), valType: VT.STRING, lang: 'es' },
      { op: 'set', subject: 2n, predicate: 'name', value: str('Bob Smith'), valType: VT.STRING },
      { op: 'set', subject: 1n, predicate: 'age', value: int(30n), valType: VT.INT },
      {
        op: 'set',
        subject: 1n,
        predicate: 'friend',
        objectUid: 2n,
        facets: [{ key: 'close', value: Buffer.from([1]), valType: 3 }],
      },
      { op: 'set', subject: 1n, predicate: 'friend', objectUid: 3n },
      { op: 'set', subject: 1n, predicate: 'tags', value: str('a'), valType: VT.STRING },
      { op: 'set', subject: 1n, predicate: 'tags', value: str('b'), valType: VT.STRING },
    ]);
    expect(r.keys).toBeGreaterThan(5);
    expect(s.meta().maxCommitTs).toBe(2n);
    expect(s.meta().maxUid).toBe(3n);

    const [n1, n9] = (await s.getNodes({ uids: [1n, 9n], predicates: null, readTs: 2n })) as [
      Native.NodeFacts,
      Native.NodeFacts,
    ];
    expect(n9).toEqual({ uid: 9n, predicates: [] });
    expect(n1.predicates.map((p) => p.predicate)).toEqual(['age', 'friend', 'name', 'tags']);
    const friend = n1.predicates.find((p) => p.predicate === 'friend')!;
    expect(friend.uids).toEqual([2n, 3n]);
    expect(friend.values).toEqual([]);
    expect(friend.uidFacets).toEqual([
      { uid: 2n, facets: [{ key: 'close', value: Buffer.from([1]), valType: 3 }] },
    ]);
    const names = n1.predicates.find((p) => p.predicate === 'name')!.values;
    expect(names.map((v) => [v.value.toString(), v.lang ?? ''])).toEqual([
      ['Alicia', 'es'],
      ['Alice Smith', ''],
    ]);
    expect(names[1]!.valType).toBe(VT.STRING);

    expect(await s.hasPredicate('name', 2n)).toEqual([1n, 2n]);
    expect(await s.hasPredicate('name', 2n, { after: 1n })).toEqual([2n]);
    expect(await s.hasPredicate('name', 2n, { first: 1 })).toEqual([1n]);
    expect(await s.compareIndex('name', 'eq', [str('Bob Smith')], 2n)).toEqual([2n]);
    expect(await s.compareIndex('age', 'eq', [int(30n), int(31n)], 2n)).toEqual([1n]);
    await expect(s.compareIndex('tags', 'eq', [str('a')], 2n)).rejects.toThrow(/needs an index for eq/);
    expect(await s.compareIndex('age', 'ge', [int(31n)], 2n)).toEqual([]);
    expect(await s.compareAmong('tags', 'eq', [str('a')], [1n, 2n], 2n)).toEqual([1n]);
    await expect(s.compareAmong('age', 'between', [int(1n)], [1n], 2n)).rejects.toThrow(/two/);
    expect(() => s.compareAmong('age', 'like', [int(1n)], [1n], 2n)).toThrow(/not a comparison/);
    expect(() => s.compareAmong('age', 'eq', [int(1n)], [-1n], 2n)).toThrow(/among\[0\]/);
    expect(await s.textMatch('name', 'term', true, 'SMITH alice', '', 2n)).toEqual([1n]);
    await expect(s.textMatch('name', 'fulltext', false, 'bob', '', 2n)).rejects.toThrow(
      /not indexed with type fulltext/,
    );
    expect(await s.reverse('friend', [2n, 3n, 4n], 2n)).toEqual([
      { object: 2n, subjects: [1n] },
      { object: 3n, subjects: [1n] },
      { object: 4n, subjects: [] },
    ]);
    await expect(s.reverse('name', [1n], 2n)).rejects.toThrow(/@reverse/);

    // replace a non-list value, delete an edge, star delete
    await s.applyMutations(3n, [
      { op: 'set', subject: 2n, predicate: 'name', value: str('Carol'), valType: VT.STRING },
      { op: 'del', subject: 1n, predicate: 'friend', objectUid: 3n },
      { op: 'del', subject: 1n, predicate: 'tags', star: true },
    ]);
    expect(await s.compareIndex('name', 'eq', [str('Bob Smith')], 3n)).toEqual([]);
    expect(await s.compareIndex('name', 'eq', [str('Bob Smith')], 2n)).toEqual([2n]);
    expect(await s.compareIndex('name', 'eq', [str('Carol')], 3n)).toEqual([2n]);
    expect(await s.hasPredicate('tags', 3n)).toEqual([]);
    expect(await s.hasPredicate('tags', 2n)).toEqual([1n]);
    expect(await s.reverse('friend', [3n], 3n)).toEqual([{ object: 3n, subjects: [] }]);

    // safety checks
    await expect(
      s.applyMutations(4n, [
        { op: 'set', subject: 1n, predicate: 'age', value: str('x'), valType: VT.STRING },
      ]),
    ).rejects.toThrow(/INVALID_ARGUMENT: .*age is of type int/);
    await expect(
      s.alter(4n, { predicates: [{ predicate: 'bio', valueType: 'string', index: ['ngram'] }] }),
    ).rejects.toThrow(/tokenizer ngram is not supported yet/);
    await expect(
      s.alter(4n, { predicates: [{ predicate: 'age', valueType: 'int', index: ['exact'] }] }),
    ).rejects.toThrow(/tokenizer exact needs type string/);

    const out = await s.exportRdf();
    const lines = out.data.toString().split('\n').filter(Boolean);
    expect(lines).toEqual([
      '<0x1> <age> "30"^^<xs:int> .',
      '<0x1> <friend> <0x2> (close=true) .',
      '<0x1> <name> "Alice Smith" .',
      '<0x1> <name> "Alicia"@es .',
      '<0x2> <name> "Carol" .',
    ]);
    expect(out.facts).toBe(5);
    expect(out.schema.toString()).toContain('friend: [uid] @count @reverse .');
    expect(out.schema.toString()).toContain('name: string @index(hash, term) @lang .');
    const old = await s.exportRdf(2n);
    expect(old.facts).toBe(8);

    // a second store on the same folder while open
    expect(() => new PostingStore(dir, { group: 1 })).toThrow(/STORE_BUSY: .*already open/);

    s.close();
    await expect(s.hasPredicate('name', 3n)).rejects.toThrow(/closed/);

    const again = new PostingStore(dir, { group: 1 });
    expect(again.meta().maxCommitTs).toBe(3n);
    expect(await again.compareIndex('name', 'eq', [str('Carol')], 3n)).toEqual([2n]);
    expect((await again.exportRdf()).data).toEqual(out.data);
    again.close();

    expect(() => new PostingStore(dir, { group: 2 })).toThrow(/STORE_INCOMPATIBLE/);
    expect(() => new PostingStore(join(root, 'missing'), { group: 1 })).toThrow(/STORE_NOT_FOUND/);
  });

  it('dropAttr, dropData and dropAll', async () => {
    const s = new PostingStore(join(root, 'drops'), { group: 1, create: true });
    await s.applyMutations(1n, [
      { op: 'set', subject: 1n, predicate: 'a', value: str('x'), valType: VT.STRING },
      { op: 'set', subject: 1n, predicate: 'b', objectUid: 2n },
    ]);
    expect(s.getSchema().predicates.map((p) => [p.predicate, p.valueType, p.list])).toEqual([
      ['a', 'string', false],
      ['b', 'uid', true],
    ]);
    await s.alter(2n, { dropAttr: 'a' });
    expect(s.getSchema().predicates.map((p) => p.predicate)).toEqual(['b']);
    expect(await s.hasPredicate('a', 2n)).toEqual([]);
    await s.alter(3n, { dropData: true });
    expect(await s.hasPredicate('b', 3n)).toEqual([]);
    expect(s.getSchema().predicates.length).toBe(1);
    await s.alter(4n, { dropAll: true });
    expect(s.getSchema()).toEqual({ predicates: [], types: [] });
    s.close();
  });
});
