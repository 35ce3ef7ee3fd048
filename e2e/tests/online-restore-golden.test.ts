// Online restore of the real Dgraph fixture sets: per set, a fresh cluster with the set's group
// count (Zero --groups N + N Alphas through the built CLI), then for every golden restore point in
// order the GraphQL `restore` mutation with backupId/backupNum + restoreStatus polling, and
// `strata export --alpha` byte-identical to `expected/<backupId>/<backupNum>/{data.rdf,schema.txt}`.
// Successive points go into the same cluster: an online restore replaces everything it held.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesRoot } from './paths.js';
import { freePort, killAll, run, start, type Proc, waitHealthy } from './procs.js';

const TOKEN = 'e2e-online-golden-token-0123456789';
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-online-golden-'));

interface RestorePoint {
  backupId: string;
  backupNum: number;
  expected: string;
}
interface FixtureSet {
  name: string;
  location: string;
  groups: number;
  points: RestorePoint[];
}

/** Group count: the highest group any manifest of the location lists. */
function groupCount(location: string): number {
  let max = 0;
  for (const f of readdirSync(location).filter((d) => d.startsWith('dgraph.'))) {
    const m = JSON.parse(readFileSync(path.join(location, f, 'manifest.json'), 'utf8')) as {
      groups: Record<string, unknown>;
    };
    for (const g of Object.keys(m.groups)) max = Math.max(max, Number(g));
  }
  return max;
}

function fixtureSets(): FixtureSet[] {
  if (!existsSync(fixturesRoot)) throw new Error(`fixtures not found at ${fixturesRoot}`);
  const sets: FixtureSet[] = [];
  for (const name of readdirSync(fixturesRoot).sort()) {
    const location = path.join(fixturesRoot, name);
    const exp = path.join(location, 'expected');
    if (!existsSync(exp)) continue;
    const points: RestorePoint[] = [];
    for (const backupId of readdirSync(exp).sort()) {
      const idDir = path.join(exp, backupId);
      if (!statSync(idDir).isDirectory()) continue;
      for (const num of readdirSync(idDir).sort((a, b) => Number(a) - Number(b)))
        points.push({ backupId, backupNum: Number(num), expected: path.join(idDir, num) });
    }
    sets.push({ name, location, groups: groupCount(location), points });
  }
  return sets;
}

class Cluster {
  zero?: Proc;
  alphas: { port: number; proc: Proc }[] = [];
  constructor(
    readonly name: string,
    readonly groups: number,
  ) {}
  get addr(): string {
    return `127.0.0.1:${this.alphas[0]!.port}`;
  }
  async start(): Promise<this> {
    const zeroPort = await freePort();
    this.zero = start([
      'zero',
      '--port',
      String(zeroPort),
      '--host',
      '127.0.0.1',
      '--data',
      path.join(tmp, `${this.name}-zw`),
      '--groups',
      String(this.groups),
      '--token',
      TOKEN,
    ]);
    await waitHealthy(`http://127.0.0.1:${zeroPort}`, this.zero);
    for (let g = 1; g <= this.groups; g++) {
      const port = await freePort();
      const proc = start([
        'alpha',
        '--group',
        String(g),
        '--zero',
        `127.0.0.1:${zeroPort}`,
        '-p',
        path.join(tmp, `${this.name}-p${g}`),
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--token',
        TOKEN,
      ]);
      this.alphas.push({ port, proc });
    }
    await Promise.all(this.alphas.map((a) => waitHealthy(`http://127.0.0.1:${a.port}`, a.proc)));
    return this;
  }
  async gql<T>(
    query: string,
    variables: unknown = {},
  ): Promise<{ data?: T; errors?: { message: string }[] }> {
    const r = await fetch(`http://${this.addr}/admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await r.json()) as { data?: T; errors?: { message: string }[] };
  }
  async post(route: string, body: string, type: string): Promise<Record<string, unknown>> {
    const r = await fetch(`http://${this.addr}${route}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    const j = (await r.json()) as Record<string, unknown>;
    expect(r.status, JSON.stringify(j)).toBe(200);
    return j;
  }
  async export(name: string): Promise<{ data: string; schema: string }> {
    const out = path.join(tmp, 'exports', name);
    const r = await run(['export', '--alpha', this.addr, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    return {
      data: readFileSync(path.join(out, 'data.rdf'), 'utf8'),
      schema: readFileSync(path.join(out, 'schema.txt'), 'utf8'),
    };
  }
  async stop(): Promise<void> {
    const ps = [this.zero, ...this.alphas.map((a) => a.proc)].filter((p): p is Proc => !!p);
    for (const p of ps) p.child.kill('SIGKILL');
    await Promise.all(ps.map((p) => p.exited));
  }
}

const RESTORE = /* GraphQL */ `
  mutation ($input: RestoreInput!) {
    restore(input: $input) {
      code
      message
      restoreId
    }
  }
`;
const STATUS = /* GraphQL */ `
  query ($id: Int!) {
    restoreStatus(restoreId: $id) {
      status
      errors
    }
  }
`;

async function restoreOnline(c: Cluster, input: Record<string, unknown>): Promise<void> {
  const r = await c.gql<{ restore: { code: string; restoreId: number } }>(RESTORE, { input });
  expect(r.errors, JSON.stringify(r)).toBeUndefined();
  expect(r.data!.restore.code).toBe('Success');
  const id = r.data!.restore.restoreId;
  const end = Date.now() + 30_000;
  for (;;) {
    const s = await c.gql<{ restoreStatus: { status: string; errors: string[] } }>(STATUS, { id });
    const st = s.data?.restoreStatus;
    if (st?.status === 'OK') return;
    if (st?.status === 'ERR') throw new Error(`restore failed: ${st.errors.join('; ')}`);
    if (Date.now() > end) throw new Error(`restore ${id} still ${st?.status}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const sets = fixtureSets();

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe('online restore (restore mutation + strata export --alpha) of every golden restore point', () => {
  it('finds the fixture sets and their restore points', () => {
    expect(sets.length).toBeGreaterThanOrEqual(3);
    expect(sets.reduce((n, s) => n + s.points.length, 0)).toBeGreaterThanOrEqual(10);
  });

  for (const set of sets) {
    describe(`${set.name} (${set.groups} groups)`, () => {
      const cluster = new Cluster(set.name, set.groups);
      afterAll(() => cluster.stop());

      it('starts a fresh cluster', async () => {
        await cluster.start();
      });

      const restoreAndCompare = async (p: RestorePoint, tag: string): Promise<void> => {
        await restoreOnline(cluster, {
          location: set.location,
          backupId: p.backupId,
          backupNum: p.backupNum,
        });
        const got = await cluster.export(`${set.name}-${p.backupId}-${p.backupNum}-${tag}`);
        expect(got.schema).toBe(readFileSync(path.join(p.expected, 'schema.txt'), 'utf8'));
        expect(got.data).toBe(readFileSync(path.join(p.expected, 'data.rdf'), 'utf8'));
      };

      for (const p of set.points) {
        it(`${p.backupId}/${p.backupNum}`, () => restoreAndCompare(p, 'in-order'));
      }

      it('drops writes made after the restore and goes back to an earlier point', async () => {
        const last = set.points.at(-1)!;
        const first = set.points[0]!;
        await cluster.post(
          '/alter',
          'strata_extra: string @index(exact) .\ntype StrataExtra {\n  strata_extra\n}',
          'text/plain',
        );
        const w = await cluster.post(
          '/mutate?commitNow=true',
          '{ set {\n_:x <strata_extra> "not in the backup" .\n_:x <dgraph.type> "StrataExtra" .\n} }',
          'application/rdf',
        );
        const uid = BigInt((w.data as { uids: Record<string, string> }).uids.x!);
        const lastData = readFileSync(path.join(last.expected, 'data.rdf'), 'utf8');
        const maxUid = [...lastData.matchAll(/^<0x([0-9a-f]+)>/gm)].reduce(
          (m, x) => (BigInt(`0x${x[1]}`) > m ? BigInt(`0x${x[1]}`) : m),
          0n,
        );
        expect(uid).toBeGreaterThan(maxUid);
        const before = await cluster.export(`${set.name}-extra`);
        expect(before.data).toContain('<strata_extra> "not in the backup" .');
        expect(before.schema).toContain('type StrataExtra {');
        await restoreAndCompare(first, 'again');
      });
    });
  }
});
