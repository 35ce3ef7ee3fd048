/**
 * The same data written through Dgraph and through Strata, backed up by each, and the decoded KVs
 * compared key by key: every data, index (term, hash, exact, int, float, bool, year, hour, trigram,
 * sha256, fulltext in several languages, geo points and polygons), reverse and count key, and every
 * schema and type value,
 * must be the same bytes (posting lists compared without their commit timestamps). Strata writes
 * the nodes with the uids Dgraph gave them, so that keys line up.
 *
 * Left out, and why: `pw` values (bcrypt with a random salt: no two writes agree, in Dgraph either;
 * the keys are still compared), vector indexes (not computed by Strata yet), exact tokens of
 * language-tagged values (Dgraph's collation keys; Strata refuses such writes).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA, people } from '../interop/dataset.js';
import { backupKvs, diffKvs, type KvView } from '../interop/kv-diff.js';
import { DGRAPH_VERSIONS, DgraphCluster, type DgraphVersion } from './dgraph-peer.js';
import { TestCluster } from './harness.js';
import { killAll } from './procs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-kvdiff-'));
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const FULLTEXT_SCHEMA = `blurb: string @index(fulltext, term) @lang .\n`;

/** Fulltext values in more of the languages Strata reproduces, tagged and untagged. */
function blurbFacts(n: number, tag: string): string {
  const texts: [string, string][] = [
    ['', 'The quick brown foxes were running over lazy dogs'],
    ['en', 'Happily organized technology conferences'],
    ['de', 'Die schnellen braunen Füchse springen über faule Hunde'],
    ['fr', 'Les chevaux mangeaient des pommes délicieuses'],
    ['es', 'Las canciones felices de los niños'],
    ['ru', 'Книги и журналы лежали на столе'],
    ['sv', 'Flickorna sjöng vackra sånger'],
    ['ja', '東京タワーと京都の寺'],
    ['zh', '第一轮比赛结束了'],
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const [lang, text] = texts[i % texts.length]!;
    out.push(`_:${tag}${i} <blurb> ${JSON.stringify(`${text} ${i}`)}${lang ? `@${lang}` : ''} .`);
  }
  return out.join('\n');
}

/** The one backup folder under `location`. */
function onlyFolder(location: string): string {
  const dirs = readdirSync(location).filter((d) => d.startsWith('dgraph.'));
  expect(dirs).toHaveLength(1);
  return path.join(location, dirs[0]!);
}

/** Uids of a list's text (`uids [1, 2]`). */
function uidsOf(text: string): number[] {
  const m = /^uids \[([^\]]*)\]/.exec(text);
  return m && m[1] ? m[1].split(', ').map(Number) : [];
}

/**
 * Entries of Dgraph's count indexes (COUNT: a subject with N edges; COUNT_REV: an object with N
 * reverse edges) that the lists in the same backup contradict: Dgraph sometimes leaves a uid under
 * its old count when several edges of one transaction change it. Returned as `kind attr count uid`.
 */
function staleCountEntries(kvs: Map<string, KvView>): string[] {
  const truth = new Map<string, number>();
  for (const v of kvs.values())
    if (v.kind === 'DATA' || v.kind === 'REVERSE')
      truth.set(`${v.kind} ${v.attr} ${v.at}`, uidsOf(v.text).length);
  const out: string[] = [];
  for (const v of kvs.values()) {
    if (v.kind !== 'COUNT' && v.kind !== 'COUNT_REV') continue;
    const list = v.kind === 'COUNT' ? 'DATA' : 'REVERSE';
    for (const u of uidsOf(v.text))
      if (truth.get(`${list} ${v.attr} ${u}`) !== Number(v.at)) out.push(`${v.kind} ${v.attr} ${v.at} ${u}`);
  }
  return out;
}

/** Removes `uid` from the count list `kind attr count` of `kvs`. */
function dropUid(kvs: Map<string, KvView>, entry: string): void {
  const [kind, attr, count, uid] = entry.split(' ');
  for (const v of kvs.values())
    if (v.kind === kind && v.attr === attr && v.at === count) {
      const rest = uidsOf(v.text).filter((u) => String(u) !== uid);
      v.text = v.text.replace(/^uids \[[^\]]*\]/, `uids [${rest.join(', ')}]`);
    }
}

const keep = (attr: string) => !attr.startsWith('dgraph.') || attr === 'dgraph.type';

describe.each(DGRAPH_VERSIONS.map((v) => [v]))(
  'KVs written by Dgraph %s and by Strata',
  (version: DgraphVersion) => {
    it('are the same for the same data', { timeout: 300_000 }, async () => {
      const dir = path.join(tmp, version);
      const rdf = `${people(60, 'a')}\n${blurbFacts(60, 'a')}`;
      // Dgraph assigns the uids.
      const dgraph = await DgraphCluster.start({ version, dir: path.join(dir, 'dgraph') });
      let dgraphKvs: Map<string, KvView>;
      let uids: Record<string, string>;
      try {
        await dgraph.alter(SCHEMA + FULLTEXT_SCHEMA);
        uids = await dgraph.mutate(rdf);
        const location = path.join(dir, 'dgraph-backups');
        await dgraph.backup(location, true);
        dgraphKvs = await backupKvs(onlyFolder(location), keep);
      } finally {
        await dgraph.stop();
      }
      // Strata writes the same facts on those uids.
      const explicit = rdf.replace(/_:([A-Za-z0-9]+)/g, (_, b: string) => `<${uids[b]}>`);
      const c = new TestCluster(dir, 'strata', 1);
      await c.start();
      const location = path.join(dir, 'strata-backups');
      try {
        await c.alter(SCHEMA + FULLTEXT_SCHEMA);
        await c.mutate(explicit);
        const format = version.startsWith('v25') ? 'v25' : 'v24';
        await c.backupCli(location, { format, full: true });
      } finally {
        await c.stop();
      }
      const strataKvs = await backupKvs(onlyFolder(location), keep);
      // pw: same keys, values salted differently by each writer
      for (const m of [strataKvs, dgraphKvs])
        for (const v of m.values()) if (v.attr === 'pw' && v.kind === 'DATA') v.text = '(bcrypt)';
      const kinds = (m: Map<string, KvView>) => {
        const n: Record<string, number> = {};
        for (const v of m.values()) n[v.kind] = (n[v.kind] ?? 0) + 1;
        return n;
      };
      console.log(`KVs compared with Dgraph ${version}: ${JSON.stringify(kinds(dgraphKvs))}`);
      const stale = staleCountEntries(dgraphKvs);
      if (stale.length > 0)
        console.log(
          `Dgraph ${version} wrote count index entries its own lists contradict: ${stale.join('; ')}`,
        );
      for (const s of stale) dropUid(dgraphKvs, s);
      expect(diffKvs(strataKvs, dgraphKvs).slice(0, 15)).toEqual([]);
      expect(dgraphKvs.size).toBeGreaterThan(1000);
    });
  },
);
