/**
 * `strata restore --predicates/--namespaces/--exclude` (partial restore) and `--groups M`
 * (re-sharding) as real processes on a real Dgraph series (v20.11-series-3groups, jolly_yalow0:
 * 3 groups, 3 backups): exports compared with Dgraph's golden dump, whole or filtered the same
 * way; re-sharded restores served by in-process clusters of M groups answer DQL as the 3-group
 * restore does, and Zero's tablets and leases follow the restore (-z).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAlpha, createZero, type Alpha } from '@strata/server';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH, jsonSummary, strata } from './helpers.js';

const SET = path.join(DGRAPH, 'v20.11-series-3groups');
const GOLDEN = path.join(SET, 'expected', 'jolly_yalow0', '3');
const TOKEN = 'subset-test-token-0123456789';
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-subset-'));
const tokenFile = path.join(tmp, 'token');
writeFileSync(tokenFile, TOKEN);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const golden = (f: string) => readFileSync(path.join(GOLDEN, f), 'utf8');
const predOf = (line: string) => /^\S+ <([^>]+)>/.exec(line)![1]!;

function filterData(data: string, keep: (p: string) => boolean): string {
  return data
    .split('\n')
    .filter((l) => l !== '' && keep(predOf(l)))
    .map((l) => `${l}\n`)
    .join('');
}

/** schema.txt: kept predicates; types with only kept fields, left out when none is kept. */
function filterSchema(schema: string, keep: (p: string) => boolean): string {
  const lines = schema.split('\n').filter((l) => l !== '');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.startsWith('type ')) {
      if (keep(l.slice(0, l.indexOf(':')))) out.push(l);
      continue;
    }
    const fields: string[] = [];
    for (i++; lines[i] !== '}'; i++) if (keep(lines[i]!.trim())) fields.push(lines[i]!);
    if (fields.length > 0) out.push(l, ...fields, '}');
  }
  return out.map((l) => `${l}\n`).join('');
}

async function exportOf(pdir: string): Promise<{ data: string; schema: string }> {
  const dump = `${pdir}-dump`;
  const e = await strata('export', '-p', pdir, '--out', dump);
  expect(e.code, e.stderr).toBe(0);
  return {
    data: readFileSync(path.join(dump, 'data.rdf'), 'utf8'),
    schema: readFileSync(path.join(dump, 'schema.txt'), 'utf8'),
  };
}

describe('strata restore: partial', () => {
  it('--predicates p2 --exclude dgraph.cors,dgraph.graphql.xid equals the golden export filtered the same way', async () => {
    const out = path.join(tmp, 'partial');
    const r = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      out,
      '--predicates',
      'p2',
      '--exclude',
      'dgraph.cors,dgraph.graphql.xid',
      '--force_zero=false',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('partial: ');
    const keep = (p: string) =>
      p === 'p2' || (p.startsWith('dgraph.') && p !== 'dgraph.cors' && p !== 'dgraph.graphql.xid');
    const e = await exportOf(out);
    expect(e.data).toBe(filterData(golden('data.rdf'), keep));
    expect(e.data).toContain('<p2> "k4"');
    expect(e.data).not.toContain('<p4>');
    // the type dgraph.type.cors lists no restored field: gone; dgraph.graphql keeps only its schema field
    expect(e.schema).toBe(filterSchema(golden('schema.txt'), keep));
    expect(e.schema).not.toContain('dgraph.type.cors');
    expect(e.schema).toContain('type dgraph.graphql {\n  dgraph.graphql.schema\n}\n');
  });

  it('-z: the leases move past the restored subset and only its tablets move', async () => {
    const zero = await createZero({ dataDir: path.join(tmp, 'pz-zw'), port: 0, token: TOKEN, groups: 3 });
    try {
      const r = await strata(
        'restore',
        '-l',
        SET,
        '-p',
        path.join(tmp, 'pz'),
        '--predicates',
        'p4',
        '--exclude',
        'dgraph.type,dgraph.cors,dgraph.graphql.schema,dgraph.graphql.xid,dgraph.drop.op',
        '-z',
        `127.0.0.1:${zero.port}`,
        '--token_file',
        tokenFile,
        '--json',
      );
      expect(r.code, r.stderr).toBe(0);
      const s = jsonSummary(r.stdout) as { maxUid: string | number; readTs: string | number };
      // p4's largest subject is 0xb; the read timestamp of the last backup is 13 (golden)
      expect(BigInt(s.maxUid)).toBe(0xbn);
      expect(zero.store.leased('uids')).toBeGreaterThanOrEqual(0xbn);
      expect(zero.store.leased('timestamps')).toBeGreaterThanOrEqual(BigInt(s.readTs));
      const tablets = Object.values((await zero.store.snapshot()).groups).flatMap((g) =>
        Object.keys(g.tablets),
      );
      expect(tablets.filter((t) => !t.startsWith('dgraph.'))).toEqual(['p4']);
      expect(tablets).not.toContain('dgraph.type');
    } finally {
      await zero.close();
    }
  });

  it('names what the backup holds for an unknown predicate or namespace, and refuses bad lists; writes nothing', async () => {
    const bad = path.join(tmp, 'bad');
    const unknown = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      bad,
      '--predicates',
      'p1,nope',
      '--force_zero=false',
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(
      /predicates: "nope" is not in the backup, which holds: dgraph\.cors, .*p1, p2, p3, p4/,
    );
    const ns = await strata('restore', '-l', SET, '-p', bad, '--namespaces', '3', '--force_zero=false');
    expect(ns.code).not.toBe(0);
    expect(ns.stderr).toContain('namespace 3 is not in the backup (it holds namespaces 0)');
    const empty = await strata('restore', '-l', SET, '-p', bad, '--exclude', 'p1,,p2', '--force_zero=false');
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('--exclude: an empty predicate name');
    expect(existsSync(bad)).toBe(false);
  });
});

describe('strata restore: re-sharding', () => {
  it('--dry-run shows the layout: the predicates of each target group and the backup groups it reads', async () => {
    const r = await strata('restore', '-l', SET, '-p', path.join(tmp, 'dry'), '--groups', '5', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('re-sharded from 3 backup groups into 5 groups');
    expect(r.stdout).toMatch(/group 2 -> .*p2: 6 files, .*1 predicate \(from backup groups 2, 3\)\n {4}p1\n/);
    expect(r.stdout).toMatch(/group 5 -> .*p5: .*\n {4}p4\n/);
    const j = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      path.join(tmp, 'dry'),
      '--groups',
      '2',
      '--dry-run',
      '--json',
    );
    const s = jsonSummary(j.stdout) as { layout: { targetGroups: number; groups: { group: number }[] } };
    expect(s.layout.targetGroups).toBe(2);
    expect(existsSync(path.join(tmp, 'dry'))).toBe(false);
  });

  it('--same-groups refuses another group count; --groups 0 is refused', async () => {
    const same = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      path.join(tmp, 's'),
      '--groups',
      '2',
      '--same-groups',
      '--force_zero=false',
    );
    expect(same.code).not.toBe(0);
    expect(same.stderr).toContain('the backup has 3 groups (1, 2, 3) but the cluster has 2 groups');
    const zero = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      path.join(tmp, 's'),
      '--groups',
      '0',
      '--force_zero=false',
    );
    expect(zero.code).not.toBe(0);
    expect(existsSync(path.join(tmp, 's'))).toBe(false);
  });

  it('-z: --groups must be Zero’s group count, and without it the backup’s must be; nothing written', async () => {
    const zero = await createZero({ dataDir: path.join(tmp, 'g2-zw'), port: 0, token: TOKEN, groups: 2 });
    try {
      const z = ['-z', `127.0.0.1:${zero.port}`, '--token_file', tokenFile];
      const other = await strata('restore', '-l', SET, '-p', path.join(tmp, 'g2'), '--groups', '5', ...z);
      expect(other.code).not.toBe(0);
      expect(other.stderr).toContain('--groups 5 but Zero 127.0.0.1:');
      expect(other.stderr).toContain('has 2 groups');
      const none = await strata('restore', '-l', SET, '-p', path.join(tmp, 'g2'), ...z);
      expect(none.code).not.toBe(0);
      expect(none.stderr).toContain('the backup has 3 groups but the cluster has 2 groups');
      expect(existsSync(path.join(tmp, 'g2'))).toBe(false);
      expect(
        Object.values((await zero.store.snapshot()).groups).flatMap((g) => Object.keys(g.tablets)),
      ).toEqual([]);
    } finally {
      await zero.close();
    }
  });

  const QUERIES = [
    '{ q(func: has(p2), orderasc: p2) { uid p2 p4 p1 } }',
    '{ q(func: has(dgraph.type)) { uid dgraph.type dgraph.cors dgraph.graphql.xid } }',
    '{ q(func: eq(p4, "k5")) { p2 } }',
    '{ q(func: has(p1)) { count(uid) } }',
  ];

  /** Restores with -z into a fresh M-group cluster, checks the export, then serves it and runs QUERIES. */
  async function restoreAndQuery(
    m: number,
  ): Promise<{ answers: unknown[]; tablets: Record<string, number> }> {
    const root = path.join(tmp, `m${m}`);
    const zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: m });
    const alphas: Alpha[] = [];
    try {
      const pdir = path.join(root, 'p');
      const r = await strata(
        'restore',
        '-l',
        SET,
        '-p',
        pdir,
        '--groups',
        String(m),
        '-z',
        `127.0.0.1:${zero.port}`,
        '--token_file',
        tokenFile,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(zero.store.leased('timestamps')).toBeGreaterThanOrEqual(13n);
      expect(zero.store.leased('uids')).toBeGreaterThanOrEqual(0xcn);
      const e = await exportOf(pdir);
      expect(e.data).toBe(golden('data.rdf'));
      expect(e.schema).toBe(golden('schema.txt'));
      const tablets: Record<string, number> = {};
      for (const [gid, g] of Object.entries((await zero.store.snapshot()).groups)) {
        for (const t of Object.keys(g.tablets)) tablets[t] = Number(gid);
      }
      for (let g = 1; g <= m; g++) {
        alphas.push(
          await createAlpha({
            zero: `127.0.0.1:${zero.port}`,
            port: 0,
            token: TOKEN,
            group: g,
            dataDir: path.join(pdir, `p${g}`),
          }),
        );
      }
      const answers = [];
      for (const q of QUERIES) {
        const res = await alphas[0]!.app.inject({
          method: 'POST',
          url: '/query',
          headers: { 'content-type': 'application/dql' },
          payload: q,
        });
        expect(res.statusCode, res.body).toBe(200);
        answers.push((res.json() as { data: unknown }).data);
      }
      return { answers, tablets };
    } finally {
      for (const a of alphas) await a.close();
      await zero.close();
    }
  }

  it('a 3-group series restored into 1, 2 and 5 groups: Dgraph’s export, the same DQL answers, Zero’s tablets on the new groups', async () => {
    const ref = await restoreAndQuery(3);
    expect(ref.tablets).toMatchObject({ p1: 2, p2: 2, p4: 2, 'dgraph.type': 1 });
    expect(JSON.stringify(ref.answers)).toContain('"p2":"k4"');
    for (const m of [1, 2, 5]) {
      const got = await restoreAndQuery(m);
      expect(got.answers, `answers with ${m} groups`).toEqual(ref.answers);
      expect(Object.keys(got.tablets).sort()).toEqual(Object.keys(ref.tablets).sort());
      const want =
        m === 1
          ? { p1: 1, p2: 1, p4: 1 }
          : m === 2
            ? { p1: 2, p2: 2, p4: 2 }
            : { p1: 2, p2: 3, p3: 4, p4: 5 };
      expect(got.tablets).toMatchObject({ ...want, 'dgraph.type': 1, 'dgraph.cors': 1 });
    }
  }, 120_000);
});
