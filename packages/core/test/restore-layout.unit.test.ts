/** Partial restore and re-sharding: the selection (parsing, hostile input) and the layout function. */
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  parseNamespaceList,
  parsePredicateList,
  planLayout,
  selectPredicates,
  SeriesError,
  sourceGroupsFor,
  type BackupManifest,
  type PredicateName,
} from '../src/index.js';

const p = (name: string, namespace = 0n): PredicateName => ({ namespace, name });

// A 3-group series: g1 Dgraph's own, g2 user predicates in namespaces 0 and 2, g3 empty.
const LAST = new Map<number, PredicateName[]>([
  [1, [p('dgraph.type'), p('dgraph.graphql.schema'), p('dgraph.type', 2n)]],
  [2, [p('name'), p('age'), p('friend'), p('name', 2n), p('city', 2n)]],
  [3, []],
]);
const HELD = [...LAST.values()].flat();
const names = (ps: readonly PredicateName[]) => ps.map((x) => `${x.namespace}-${x.name}`);

describe('parsePredicateList / parseNamespaceList', () => {
  it('splits, trims and dedupes', () => {
    expect(parsePredicateList(' name, age ,name')).toEqual(['name', 'age']);
    expect(parseNamespaceList('0, 2,0x2,0x1f')).toEqual([0n, 2n, 31n]);
    expect(parseNamespaceList('18446744073709551615')).toEqual([18446744073709551615n]);
  });
  it('refuses empty items, reverse edges, odd characters and bad numbers', () => {
    expect(() => parsePredicateList('name,,age')).toThrow(/an empty predicate name/);
    expect(() => parsePredicateList('~friend')).toThrow(
      /"~friend" is a reverse edge; name the predicate "friend"/,
    );
    expect(() => parsePredicateList('na me')).toThrow(InvalidArgumentError);
    expect(() => parsePredicateList('a\u0000b')).toThrow(/not allowed in a predicate name/);
    expect(() => parseNamespaceList('1,x')).toThrow(/"x" is not a namespace/);
    expect(() => parseNamespaceList('-1')).toThrow(/"-1" is not a namespace/);
    expect(() => parseNamespaceList('18446744073709551616')).toThrow(/beyond 2\^64-1/);
    expect(() => parseNamespaceList('1'.repeat(400))).toThrow(/is not a namespace/);
  });
});

describe('selectPredicates', () => {
  it('keeps the named predicates in every namespace, plus dgraph.*', () => {
    expect(names(selectPredicates(HELD, { predicates: ['name'] }))).toEqual([
      '0-dgraph.type',
      '0-dgraph.graphql.schema',
      '2-dgraph.type',
      '0-name',
      '2-name',
    ]);
  });
  it('namespaces and names combine: a name applies in each selected namespace', () => {
    expect(names(selectPredicates(HELD, { namespaces: [2n] }))).toEqual([
      '2-dgraph.type',
      '2-name',
      '2-city',
    ]);
    expect(names(selectPredicates(HELD, { namespaces: [2n], predicates: ['city'] }))).toEqual([
      '2-dgraph.type',
      '2-city',
    ]);
  });
  it('exclude drops names everywhere, dgraph.* included when named', () => {
    expect(names(selectPredicates(HELD, { exclude: ['name', 'dgraph.graphql.schema'] }))).toEqual([
      '0-dgraph.type',
      '2-dgraph.type',
      '0-age',
      '0-friend',
      '2-city',
    ]);
  });
  it('names what the series holds when a name or namespace is not in it', () => {
    expect(() => selectPredicates(HELD, { predicates: ['name', 'nmae'] })).toThrow(
      'predicates: "nmae" is not in the backup, which holds: age, city, dgraph.graphql.schema, dgraph.type, friend, name',
    );
    expect(() => selectPredicates(HELD, { namespaces: [2n], predicates: ['age'] })).toThrow(
      'predicates: "age" is not in namespace 2 of the backup, which holds: city, dgraph.type, name',
    );
    expect(() => selectPredicates(HELD, { exclude: ['zip'] })).toThrow(/exclude: "zip" is not in the backup/);
    expect(() => selectPredicates(HELD, { namespaces: [7n, 2n] })).toThrow(
      'namespace 7 is not in the backup (it holds namespaces 0, 2)',
    );
  });
  it('refuses a selection that keeps nothing, and empty lists', () => {
    expect(() =>
      selectPredicates(HELD, { namespaces: [2n], exclude: ['dgraph.type', 'name', 'city'] }),
    ).toThrow(/the selection keeps no predicate of namespace 2/);
    expect(() => selectPredicates(HELD, { predicates: [] })).toThrow(/predicates: the list is empty/);
    expect(() => selectPredicates(HELD, { predicates: ['~name'] })).toThrow(/reverse edge/);
  });
  it('lists at most 40 names', () => {
    const many = Array.from({ length: 100 }, (_, i) => p(`p${String(i).padStart(3, '0')}`));
    expect(() => selectPredicates(many, { predicates: ['nope'] })).toThrow(/p039 and 60 more$/);
  });
});

describe('planLayout', () => {
  it('keeps the backup groups when the counts agree', () => {
    const l = planLayout(LAST, HELD);
    expect(l.resharded).toBe(false);
    expect(l.groups.map((g) => [g.group, names(g.predicates)])).toEqual([
      [1, ['0-dgraph.type', '0-dgraph.graphql.schema', '2-dgraph.type']],
      [2, ['0-name', '0-age', '0-friend', '2-name', '2-city']],
      [3, []],
    ]);
    // a selection only filters
    const part = planLayout(LAST, selectPredicates(HELD, { predicates: ['age'] }), { targetGroups: 3 });
    expect(part.groups.map((g) => g.predicates.length)).toEqual([3, 1, 0]);
  });

  it('re-shards as Zero assigns tablets: dgraph.* on 1, then the fewest tablets, ties to the lowest group', () => {
    const two = planLayout(LAST, HELD, { targetGroups: 2 });
    expect(two.resharded).toBe(true);
    // group 1 holds 2 tablets (dgraph.graphql.schema, dgraph.type): age and city go to 2 until it
    // has as many; the tie sends friend to group 1, then name (both namespaces) to group 2.
    expect(two.groups.map((g) => [g.group, names(g.predicates)])).toEqual([
      [1, ['0-dgraph.graphql.schema', '0-dgraph.type', '2-dgraph.type', '0-friend']],
      [2, ['0-age', '2-city', '0-name', '2-name']],
    ]);
    const five = planLayout(LAST, HELD, { targetGroups: 5 });
    expect(five.groups.map((g) => [g.group, names(g.predicates)])).toEqual([
      [1, ['0-dgraph.graphql.schema', '0-dgraph.type', '2-dgraph.type']],
      [2, ['0-age']],
      [3, ['2-city']],
      [4, ['0-friend']],
      [5, ['0-name', '2-name']],
    ]);
    const one = planLayout(LAST, HELD, { targetGroups: 1 });
    expect(one.groups).toHaveLength(1);
    expect(one.groups[0]!.predicates).toHaveLength(HELD.length);
    // deterministic whatever the order the predicates come in
    expect(
      planLayout(LAST, [...HELD].reverse(), { targetGroups: 5 }).groups.map((g) =>
        g.predicates.map((x) => x.name).sort(),
      ),
    ).toEqual(five.groups.map((g) => g.predicates.map((x) => x.name).sort()));
  });

  it('re-shards when the backup group ids do not fit 1..M even if the counts agree', () => {
    const odd = new Map<number, PredicateName[]>([
      [1, [p('dgraph.type')]],
      [4, [p('a')]],
    ]);
    const l = planLayout(odd, [...odd.values()].flat(), { targetGroups: 2 });
    expect(l.resharded).toBe(true);
    expect(l.groups.map((g) => names(g.predicates))).toEqual([['0-dgraph.type'], ['0-a']]);
  });

  it('refuses M != N with sameGroups, and a bad M', () => {
    expect(() => planLayout(LAST, HELD, { targetGroups: 2, sameGroups: true })).toThrow(SeriesError);
    expect(() => planLayout(LAST, HELD, { targetGroups: 2, sameGroups: true })).toThrow(
      /the backup has 3 groups \(1, 2, 3\) but the cluster has 2 groups, and the same groups were asked for/,
    );
    expect(planLayout(LAST, HELD, { targetGroups: 3, sameGroups: true }).resharded).toBe(false);
    for (const m of [0, -1, 1.5, 1001, Number.NaN]) {
      expect(() => planLayout(LAST, HELD, { targetGroups: m })).toThrow(
        /group count must be a whole number from 1 to 1000/,
      );
    }
  });
});

describe('sourceGroupsFor', () => {
  const b = { groups: LAST } as unknown as BackupManifest;
  it('reads the groups holding the target group’s predicates (and those listing none)', () => {
    const l = planLayout(LAST, HELD, { targetGroups: 5 });
    expect(sourceGroupsFor(l, l.groups[0]!, b)).toEqual([1, 3]);
    expect(sourceGroupsFor(l, l.groups[1]!, b)).toEqual([2, 3]);
  });
  it('a group with no predicate still reads one file for the types', () => {
    const l = planLayout(
      LAST,
      selectPredicates(HELD, { predicates: ['age'], exclude: ['dgraph.type', 'dgraph.graphql.schema'] }),
      {
        targetGroups: 3,
      },
    );
    expect(l.groups.map((g) => g.predicates.length)).toEqual([0, 1, 0]);
    const resharded = planLayout(LAST, [p('age')], { targetGroups: 4 });
    expect(sourceGroupsFor(resharded, resharded.groups[3]!, b)).toEqual([3]);
    const noEmpty = { groups: new Map([...LAST].filter(([g]) => g !== 3)) } as unknown as BackupManifest;
    expect(sourceGroupsFor(resharded, resharded.groups[3]!, noEmpty)).toEqual([1]);
  });
  it('keeps the backup group when the layout is kept', () => {
    const l = planLayout(LAST, HELD);
    expect(l.groups.map((g) => sourceGroupsFor(l, g, b))).toEqual([[1], [2], [3]]);
  });
});
