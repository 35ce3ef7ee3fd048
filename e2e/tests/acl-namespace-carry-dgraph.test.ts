/**
 * Access control and a second namespace through Strata: a Dgraph cluster with ACL on, data in
 * namespace 0 and in a namespace created with its own groot password, backed up by Dgraph,
 * restored online into Strata (every namespace kept, with its users, groups, schema and types),
 * backed up again by Strata and restored online into a fresh ACL Dgraph: each namespace's groot
 * logs in with its own password and gets the answers the first Dgraph gave. Strata answers DQL in
 * namespace 0 only and does not enforce ACL itself yet.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { backupKvs, diffKvs } from '../interop/kv-diff.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH_VERSIONS, DgraphCluster, type DgraphVersion } from './dgraph-peer.js';
import { TestCluster, restoreOnline } from './harness.js';
import { killAll, post } from './procs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-acl-'));
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const NS1_PASSWORD = 'namespace-one-secret';
const NS0 = {
  schema: 'name: string @index(exact) .\ntype Person {\n  name\n}',
  data: ['_:a <name> "Ann" .', '_:a <dgraph.type> "Person" .', '_:b <name> "Bob" .'].join('\n'),
  queries: [
    '{ q(func: eq(name, "Ann")) { name dgraph.type } }',
    '{ q(func: type(Person)) { expand(_all_) } }',
  ],
};
const NS1 = {
  schema: 'title: string @index(term) .\npages: int @index(int) .\ntype Book {\n  title\n  pages\n}',
  data: [
    '_:x <title> "A tale of two namespaces" .',
    '_:x <pages> "320" .',
    '_:x <dgraph.type> "Book" .',
    '_:y <title> "Only in namespace one" .',
  ].join('\n'),
  queries: [
    '{ q(func: anyofterms(title, "namespaces one")) { title pages } }',
    '{ q(func: type(Book)) { expand(_all_) } }',
    '{ q(func: ge(pages, 100)) { title } }',
  ],
};

async function answers(d: DgraphCluster, queries: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of queries) out.push(await d.query(q));
  return out;
}

describe.each(DGRAPH_VERSIONS.map((v) => [v]))(
  'ACL and namespaces from Dgraph %s',
  (version: DgraphVersion) => {
    it(
      'survive Dgraph → Strata → Dgraph: each namespace logs in and answers as before',
      { timeout: 300_000 },
      async () => {
        const dir = path.join(tmp, version);
        const first = path.join(dir, 'from-dgraph');
        const second = path.join(dir, 'from-strata');
        mkdirSync(dir, { recursive: true });
        const secret = (name: string) => {
          const f = path.join(dir, `${name}.secret`);
          writeFileSync(f, `${name}-jwt-signing-secret-of-32-bytes!!`.slice(0, 32).padEnd(32, '!'));
          return f;
        };
        const d = await DgraphCluster.start({
          version,
          dir: path.join(dir, 'd1'),
          aclSecretFile: secret('d1'),
        });
        let want0: unknown[];
        let want1: unknown[];
        let ns: number;
        try {
          ns = await d.addNamespace(NS1_PASSWORD);
          await d.alter(NS0.schema);
          await d.mutate(NS0.data);
          want0 = await answers(d, NS0.queries);
          await d.login('groot', NS1_PASSWORD, ns);
          await d.alter(NS1.schema);
          await d.mutate(NS1.data);
          want1 = await answers(d, NS1.queries);
          // namespace 0 does not see namespace 1's data
          await d.login('groot', 'password', 0);
          expect(await d.query('{ q(func: has(title)) { title } }')).toEqual({ q: [] });
          await d.backup(first, true);
        } finally {
          await d.stop();
        }
        expect(ns).toBeGreaterThan(0);
        expect(JSON.stringify(want1)).toContain('A tale of two namespaces');

        const c = new TestCluster(dir, 'strata', 1);
        await c.start();
        try {
          await restoreOnline(c, { location: first });
          // namespace 0 as Dgraph answered it; the other namespace and the ACL data kept in the store
          const r = await post(`${c.url}/query`, NS0.queries[0]!, 'application/dql');
          expect((r.json as { data: unknown }).data).toEqual(want0[0]);
          const dump = await c.export('acl');
          expect(dump.data).toContain('"A tale of two namespaces"');
          expect(dump.data).toMatch(/<dgraph\.xid> "groot" <0x[0-9a-f]+> \./);
          await c.backupCli(second, { format: version.startsWith('v25') ? 'v25' : 'v24', full: true });
        } finally {
          await c.stop();
        }

        // Strata's backup carries every KV of Dgraph's, in every namespace (ACL data included)
        const onlyFolder = (loc: string) =>
          path.join(
            loc,
            readdirSync(loc).find((f) => f.startsWith('dgraph.'))!,
          );
        const all = () => true;
        expect(
          diffKvs(await backupKvs(onlyFolder(second), all), await backupKvs(onlyFolder(first), all)),
        ).toEqual([]);
        const d2 = await DgraphCluster.start({
          version,
          dir: path.join(dir, 'd2'),
          aclSecretFile: secret('d2'),
        });
        try {
          await d2.restoreOnline(second, '{ q(func: has(name)) { uid } }');
          expect(await answers(d2, NS0.queries)).toEqual(want0);
          await d2.login('groot', NS1_PASSWORD, ns);
          expect(await answers(d2, NS1.queries)).toEqual(want1);
          // the namespace's groot password is its own: the default one does not open it
          await expect(d2.login('groot', 'password', ns)).rejects.toThrow();
        } finally {
          await d2.stop();
        }
      },
    );
  },
);
