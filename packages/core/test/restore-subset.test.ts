/**
 * Partial restore and re-sharding on a real Dgraph series (v20.11-series-3groups, jolly_yalow0:
 * g1 dgraph.*, g2 p1..p4, g3 empty; 3 backups with a DROP_DATA and a DROP_ATTR): exports
 * compared with Dgraph's golden dumps, whole or filtered the same way.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRdf, InvalidArgumentError, restoreOffline, SeriesError } from '../src/index.js';
import { DGRAPH_FIXTURES, tempDir } from './helpers.js';

const SET = path.join(DGRAPH_FIXTURES, 'v20.11-series-3groups');
const GOLDEN = path.join(SET, 'expected', 'jolly_yalow0');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const golden = (num: number, f: 'data.rdf' | 'schema.txt') =>
  readFileSync(path.join(GOLDEN, String(num), f), 'utf8');

/** The golden data.rdf, only the lines of kept predicates (`<s> <pred> ...`). */
export function filterData(data: string, keep: (pred: string) => boolean): string {
  return data
    .split('\n')
    .filter((l) => l !== '' && keep(/^\S+ <([^>]+)>/.exec(l)![1]!))
    .map((l) => `${l}\n`)
    .join('');
}

/** The golden schema.txt: kept predicates' lines; types with only their kept fields, dropped when none is left. */
export function filterSchema(schema: string, keep: (pred: string) => boolean): string {
  const out: string[] = [];
  const lines = schema.split('\n').filter((l) => l !== '');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('type ')) {
      const fields: string[] = [];
      for (i++; lines[i] !== '}'; i++) if (keep(lines[i]!.trim())) fields.push(lines[i]!);
      if (fields.length > 0) out.push(l, ...fields, '}');
    } else if (keep(/^(?:\[0x[0-9a-f]+\] )?([^:]+):/.exec(l)![1]!)) {
      out.push(l);
    }
  }
  return out.map((l) => `${l}\n`).join('');
}

describe('re-sharding a 3-group series', () => {
  it.each([1, 2, 5])('into %i group(s): the export is Dgraph’s, at every restore point', async (m) => {
    for (const num of [1, 2, 3]) {
      const pdir = path.join(tmp.dir, `reshard-${m}-${num}`);
      const r = await restoreOffline({ location: SET, pdir, backupNum: num, targetGroups: m });
      expect(r.layout.targetGroups).toBe(m);
      expect(r.layout.resharded).toBe(true);
      expect(r.groups.map((g) => g.group)).toEqual(Array.from({ length: m }, (_, i) => i + 1));
      for (let g = 1; g <= m; g++) expect(existsSync(path.join(pdir, `p${g}`))).toBe(true);
      // dgraph.* on group 1; the user predicates spread over the others
      const g1 = r.layout.groups[0]!.predicates.map((p) => p.name);
      expect(g1.filter((n) => n.startsWith('dgraph.')).length).toBeGreaterThan(0);
      if (m > 1) expect(g1.every((n) => n.startsWith('dgraph.'))).toBe(true);
      const out = await exportRdf({ pdir });
      expect(out.data.toString('utf8')).toBe(golden(num, 'data.rdf'));
      expect(out.schema.toString('utf8')).toBe(golden(num, 'schema.txt'));
    }
  });

  it('puts each user predicate on its own group when there are enough, and the leases match a plain restore', async () => {
    const plain = await restoreOffline({ location: SET, pdir: path.join(tmp.dir, 'plain') });
    const r = await restoreOffline({ location: SET, pdir: path.join(tmp.dir, 'five'), targetGroups: 5 });
    const users = r.layout.groups.map((g) =>
      g.predicates.filter((p) => !p.name.startsWith('dgraph.')).map((p) => p.name),
    );
    // p3 is still listed by the last manifest (its DROP_ATTR left it a tablet, with no data)
    expect(users).toEqual([[], ['p1'], ['p2'], ['p3'], ['p4']]);
    expect([r.maxUid, r.readTs]).toEqual([plain.maxUid, plain.readTs]);
  });

  it('refuses a different group count when the same groups are asked for, writing nothing', async () => {
    const pdir = path.join(tmp.dir, 'same');
    await expect(restoreOffline({ location: SET, pdir, targetGroups: 2, sameGroups: true })).rejects.toThrow(
      SeriesError,
    );
    expect(existsSync(pdir)).toBe(false);
  });

  it('a dry run gives the layout and, per target group, the backup groups it reads', async () => {
    const r = await restoreOffline({
      location: SET,
      pdir: path.join(tmp.dir, 'dry'),
      targetGroups: 2,
      dryRun: true,
      plan: true,
    });
    expect(r.groups).toEqual([]);
    expect(r.plan!.groups.map((g) => [g.group, g.sources])).toEqual([
      [1, [1, 3]],
      [2, [2, 3]],
    ]);
    expect(r.plan!.groups.map((g) => g.files)).toEqual([6, 6]);
    expect(existsSync(path.join(tmp.dir, 'dry'))).toBe(false);
  });
});

describe('partial restore', () => {
  it.each([
    ['predicates p1', { predicates: ['p1'] }, (p: string) => p === 'p1' || p.startsWith('dgraph.')],
    [
      'exclude dgraph.cors, dgraph.graphql.xid, p2',
      { exclude: ['dgraph.cors', 'dgraph.graphql.xid', 'p2'] },
      (p: string) => !['dgraph.cors', 'dgraph.graphql.xid', 'p2'].includes(p),
    ],
    [
      'predicates p2 minus dgraph.type',
      { predicates: ['p2'], exclude: ['dgraph.type'] },
      (p: string) => p === 'p2' || (p.startsWith('dgraph.') && p !== 'dgraph.type'),
    ],
  ] as const)('%s equals the golden export filtered the same way', async (name, selection, keep) => {
    for (const m of [3, 2]) {
      const pdir = path.join(tmp.dir, `partial-${name.replace(/\W+/g, '_')}-${m}`);
      const r = await restoreOffline({ location: SET, pdir, selection, targetGroups: m });
      expect(r.partial).toBe(true);
      const out = await exportRdf({ pdir });
      const data = filterData(golden(3, 'data.rdf'), keep);
      expect(data.length).toBeGreaterThan(0);
      expect(out.data.toString('utf8')).toBe(data);
      expect(out.schema.toString('utf8')).toBe(filterSchema(golden(3, 'schema.txt'), keep));
    }
  });

  it('names what the series holds when asked for a predicate it does not hold; writes nothing', async () => {
    const pdir = path.join(tmp.dir, 'unknown');
    const err = await restoreOffline({ location: SET, pdir, selection: { predicates: ['p9'] } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(
      /predicates: "p9" is not in the backup, which holds: dgraph\.cors, .*dgraph\.type, p1, p2, p3, p4$/,
    );
    expect(existsSync(pdir)).toBe(false);
    // p3 at the point before its DROP_ATTR
    const r = await restoreOffline({ location: SET, pdir, backupNum: 1, selection: { predicates: ['p3'] } });
    const out = await exportRdf({ pdir });
    expect(out.data.toString('utf8')).toBe(
      filterData(golden(1, 'data.rdf'), (p) => p === 'p3' || p.startsWith('dgraph.')),
    );
    expect(r.maxUid).toBeGreaterThan(0n);
  });
});
