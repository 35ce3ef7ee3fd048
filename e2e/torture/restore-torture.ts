/**
 * Restore torture: kill -9 one process at a random moment of a restore, restart it, and check that
 * the cluster (or the offline target folder) holds either the old or the new data, whole, with no
 * leftovers, and that the next restore succeeds.
 *
 * Two backup series of a 2-group cluster, A and B, whose data differ in every group: `name` and
 * `tag` values start with "a-"/"ta-" in A and "b-"/"tb-" in B. One query over both predicates
 * (held by different groups) tells A, B, a mix or something missing apart.
 *
 * Kill targets: `zero`, `coordinator` (the Alpha that received the `restore` mutation, group 1),
 * `group` (the other group's Alpha), `cli-offline` (`strata restore -p` into posting folders).
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { RESTORE, TOKEN, TestCluster, readDump, restoreOnline, type Dump } from '../tests/harness.js';
import { run, start, waitHealthy } from '../tests/procs.js';

export type KillTarget = 'zero' | 'coordinator' | 'group' | 'cli-offline';
export const KILL_TARGETS: readonly KillTarget[] = ['zero', 'coordinator', 'group', 'cli-offline'];

export interface RoundResult {
  target: KillTarget;
  round: number;
  delayMs: number;
  /** What was under way when the process was killed (journal states, folders present). */
  point: string;
  outcome: 'old' | 'new' | 'FAIL';
  detail?: string;
  /** The restore after the kill succeeded. */
  nextOk: boolean;
}

const NODES = 3000;
const BLOB = 'x'.repeat(600);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function rdf(prefix: 'a' | 'b'): string {
  const lines: string[] = [];
  for (let i = 0; i < NODES; i++) {
    lines.push(`_:n${i} <name> "${prefix}-${i}" .`);
    lines.push(`_:n${i} <tag> "t${prefix}-${i}" .`);
    lines.push(`_:n${i} <blob> "${prefix}${BLOB}${i}" .`);
  }
  return lines.join('\n');
}

type State = 'A' | 'B';

/** Which state the cluster serves: A, B, or a description of what is wrong. */
async function servedState(c: TestCluster): Promise<State | string> {
  const r = await fetch(`${c.url}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/dql' },
    body: '{ q(func: has(name)) { name tag } }',
  });
  const j = (await r.json()) as { data?: { q?: { name?: string; tag?: string }[] }; errors?: unknown };
  if (!r.ok || !j.data) return `query failed (${r.status}): ${JSON.stringify(j).slice(0, 300)}`;
  const q = j.data.q ?? [];
  if (q.length === 0) return 'empty';
  for (const s of ['A', 'B'] as const) {
    const p = s.toLowerCase();
    if (q.length === NODES && q.every((n) => n.name?.startsWith(`${p}-`) && n.tag?.startsWith(`t${p}-`))) {
      return s;
    }
  }
  const names = new Set(q.map((n) => n.name?.[0]));
  const tags = new Set(q.map((n) => n.tag?.slice(0, 2)));
  return `mix: ${q.length} nodes, names ${[...names].join('/')}, tags ${[...tags].join('/')}`;
}

/** `p.store-*`, `p.restore-*`, `p.old-*` beside a group's store other than the live one. */
function leftovers(dir: string): string[] {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  let live: string | undefined;
  if (existsSync(dir) && lstatSync(dir).isSymbolicLink()) live = path.resolve(parent, readlinkSync(dir));
  return readdirSync(parent)
    .filter((n) => n.startsWith(`${base}.`))
    .map((n) => path.join(parent, n))
    .filter((f) => f !== live);
}

function liveStore(dir: string): string {
  return existsSync(dir) && lstatSync(dir).isSymbolicLink() ? readlinkSync(dir) : 'folder';
}

function journalState(dir: string): string {
  try {
    return (JSON.parse(readFileSync(`${dir}.restore-journal`, 'utf8')) as { state: string }).state;
  } catch {
    return 'none';
  }
}

export class RestoreTorture {
  readonly source: TestCluster;
  readonly cluster: TestCluster;
  readonly locs: Record<State, string>;
  /** The offline references: each group's export of a clean offline restore of B. */
  refOffline: Dump[] = [];
  state: State = 'A';
  onlineMs = 0;
  offlineMs = 0;

  constructor(readonly tmp: string) {
    this.source = new TestCluster(tmp, 'tsrc', 2);
    // STRATA_BACKUP_LEASE_MS: a killed coordinator's restore lock frees quickly where the lock is a lease.
    this.cluster = new TestCluster(tmp, 'tdst', 2, [], 'error', {
      ...process.env,
      STRATA_BACKUP_LEASE_MS: '2000',
    });
    this.locs = { A: path.join(tmp, 'series-a'), B: path.join(tmp, 'series-b') };
  }

  /** Both series, the target cluster on A, the references, the restore durations. */
  async setup(): Promise<void> {
    await this.source.start();
    // name on group 1, tag and blob on group 2: both groups hold data that tells A from B.
    for (const [predicate, group] of [
      ['name', 1],
      ['tag', 2],
      ['blob', 2],
    ] as const) {
      const m = await fetch(`http://127.0.0.1:${this.source.zeroPort}/internal/move-tablet`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-strata-token': TOKEN },
        body: JSON.stringify({ predicate, group }),
      });
      if (!m.ok) throw new Error(`move-tablet ${predicate}: ${m.status} ${await m.text()}`);
    }
    for (const s of ['A', 'B'] as const) {
      if (s === 'B') await this.source.alter('{"drop_all": true}');
      await this.source.alter('name: string .\ntag: string .\nblob: string .');
      await this.source.mutate(rdf(s === 'A' ? 'a' : 'b'));
      const r = await run(['backup', '--alpha', this.source.addr(), '--destination', this.locs[s]]);
      if (r.code !== 0) throw new Error(`backup ${s} failed: ${r.stderr}`);
    }
    const st = (await (await fetch(`http://127.0.0.1:${this.source.zeroPort}/state`)).json()) as {
      groups: Record<string, { tablets: Record<string, unknown> }>;
    };
    const holder = (p: string) => Object.entries(st.groups).find(([, g]) => p in g.tablets)?.[0];
    if (holder('name') === holder('tag')) throw new Error('name and tag landed on one group');
    await this.source.stop();

    await this.cluster.start();
    await restoreOnline(this.cluster, { location: this.locs.B });
    if ((await servedState(this.cluster)) !== 'B') throw new Error('clean restore of B is not B');
    const t = Date.now();
    await restoreOnline(this.cluster, { location: this.locs.A });
    this.onlineMs = Date.now() - t;
    if ((await servedState(this.cluster)) !== 'A') throw new Error('clean restore of A is not A');
    this.state = 'A';

    const ref = path.join(this.tmp, 'ref-offline');
    const r = await this.timedOffline(['restore', '-l', this.locs.B, '-p', ref, '--force_zero=false'], ref);
    if (r.code !== 0) throw new Error(`offline restore failed: ${r.out}`);
    this.refOffline = [];
    for (const g of [1, 2]) this.refOffline.push(await this.exportDir(path.join(ref, `p${g}`), `ref-p${g}`));
  }

  /**
   * Runs an offline restore and measures its write window (from the target folder appearing to
   * every p<g> in place: the process's start-up and exit are not part of it), averaged into
   * `offlineMs`.
   */
  private async timedOffline(args: string[], pdir: string): Promise<{ code: number | null; out: string }> {
    const p = start(args);
    while (!existsSync(pdir) && p.child.exitCode === null) await sleep(5);
    const t = Date.now();
    const placed = () => [1, 2].every((g) => existsSync(path.join(pdir, `p${g}`)));
    while (!placed() && p.child.exitCode === null) await sleep(5);
    const ms = Date.now() - t;
    const code = await p.exited;
    if (code === 0) this.offlineMs = this.offlineMs === 0 ? ms : Math.round(0.7 * this.offlineMs + 0.3 * ms);
    return { code, out: p.out.join('') };
  }

  private async exportDir(dir: string, name: string): Promise<Dump> {
    const out = path.join(this.tmp, 'exports', name);
    rmSync(out, { recursive: true, force: true });
    const r = await run(['export', '-p', dir, '--out', out]);
    if (r.code !== 0) throw new Error(`export of ${dir} failed: ${r.stderr}`);
    return readDump(out);
  }

  /** Waits until no group has a journal and no restore reports IN_PROGRESS. */
  private async settle(restoreId: number | undefined, ms = 90_000): Promise<string | undefined> {
    const end = Date.now() + ms;
    for (;;) {
      const journals = this.cluster.alphas.filter((a) => journalState(a.dir) !== 'none');
      let running = false;
      if (restoreId !== undefined) {
        const s = await this.cluster
          .gql<{ restoreStatus: { status: string } }>(
            'query ($id: Int!) { restoreStatus(restoreId: $id) { status } }',
            { id: restoreId },
          )
          .catch(() => undefined);
        running = s?.data?.restoreStatus.status === 'IN_PROGRESS';
      }
      if (journals.length === 0 && !running) return undefined;
      if (Date.now() > end) {
        return `not settled after ${ms} ms: journals ${journals.map((a) => journalState(a.dir)).join(',')}${running ? ', restore IN_PROGRESS' : ''}`;
      }
      await sleep(200);
    }
  }

  /** The restore mutation, retried while a killed coordinator's lock is still held. */
  private async restoreUntilOk(location: string, ms = 120_000): Promise<void> {
    const end = Date.now() + ms;
    for (;;) {
      try {
        await restoreOnline(this.cluster, { location }, 60_000);
        return;
      } catch (err) {
        const msg = (err as Error).message;
        if (Date.now() > end || !/another (backup|restore) is running|CONFLICT|still finishing/.test(msg)) {
          throw err;
        }
        await sleep(500);
      }
    }
  }

  async onlineRound(target: Exclude<KillTarget, 'cli-offline'>, round: number): Promise<RoundResult> {
    const c = this.cluster;
    const old = this.state;
    const next: State = old === 'A' ? 'B' : 'A';
    const delayMs = Math.floor(Math.random() * this.onlineMs * 1.3);
    const res: RoundResult = { target, round, delayMs, point: '', outcome: 'FAIL', nextOk: false };
    const r = await c.gql<{ restore: { restoreId: number } }>(RESTORE, {
      input: { location: this.locs[next] },
    });
    if (r.errors) {
      res.detail = `restore refused: ${JSON.stringify(r.errors)}`;
      return res;
    }
    const restoreId = r.data!.restore.restoreId;
    const before = c.alphas.map((a) => liveStore(a.dir));
    await sleep(delayMs);
    // Per group: its journal's state, else whether its store was switched yet.
    res.point = c.alphas
      .map((a, i) => {
        const j = journalState(a.dir);
        return `g${a.group}:${j !== 'none' ? j : liveStore(a.dir) === before[i] ? 'before' : 'switched'}`;
      })
      .join(' ');
    const victim = target === 'zero' ? c.zero! : c.alphas[target === 'coordinator' ? 0 : 1]!.proc!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    if (target === 'zero') {
      await c.startZero();
    } else {
      const i = target === 'coordinator' ? 0 : 1;
      c.startAlpha(i);
      await waitHealthy(`http://127.0.0.1:${c.alphas[i]!.port}`, c.alphas[i]!.proc!, 60_000);
    }
    const unsettled = await this.settle(target === 'coordinator' ? undefined : restoreId);
    if (unsettled) {
      res.detail = unsettled;
      return res;
    }
    const served = await servedState(c);
    if (served !== 'A' && served !== 'B') {
      res.detail = served;
      return res;
    }
    const left = c.alphas.flatMap((a) => leftovers(a.dir));
    if (left.length > 0) {
      res.detail = `leftovers: ${left.join(', ')}`;
      return res;
    }
    res.outcome = served === old ? 'old' : 'new';
    this.state = served;
    // The next restore (to the other state) succeeds.
    const after: State = served === 'A' ? 'B' : 'A';
    try {
      const t = Date.now();
      await this.restoreUntilOk(this.locs[after]);
      this.onlineMs = Math.round(0.7 * this.onlineMs + 0.3 * (Date.now() - t));
      const now = await servedState(c);
      res.nextOk = now === after;
      if (!res.nextOk) res.detail = `after the next restore: ${now}`;
      if (now === 'A' || now === 'B') this.state = now;
    } catch (err) {
      res.detail = `next restore: ${(err as Error).message}`;
    }
    return res;
  }

  async offlineRound(round: number): Promise<RoundResult> {
    const pdir = path.join(this.tmp, `off-${round}`);
    rmSync(pdir, { recursive: true, force: true });
    const delayMs = Math.floor(Math.random() * this.offlineMs * 1.1);
    const res: RoundResult = {
      target: 'cli-offline',
      round,
      delayMs,
      point: '',
      outcome: 'FAIL',
      nextOk: false,
    };
    const args = ['restore', '-l', this.locs.B, '-p', pdir, '--force_zero=false'];
    const p = start(args);
    // The kill falls in the write window: from the folder appearing (start-up is not restore).
    while (!existsSync(pdir) && p.child.exitCode === null) await sleep(5);
    await Promise.race([sleep(delayMs), p.exited]);
    const present = () => (existsSync(pdir) ? readdirSync(pdir).sort().join(',') || 'empty' : 'no pdir');
    res.point = present();
    p.child.kill('SIGKILL');
    await p.exited;
    res.point = `${res.point} -> ${present()}`;
    // Every p<g> is absent or whole.
    let complete = 0;
    for (const g of [1, 2]) {
      const dir = path.join(pdir, `p${g}`);
      if (!existsSync(dir)) continue;
      let got: Dump;
      try {
        got = await this.exportDir(dir, `off-${round}-p${g}`);
      } catch (err) {
        res.detail = `p${g} is there but unreadable: ${(err as Error).message}`;
        return res;
      }
      const want = this.refOffline[g - 1]!;
      if (got.data !== want.data || got.schema !== want.schema) {
        res.detail = `p${g} is there but not whole (${got.data.length} of ${want.data.length} bytes of data.rdf)`;
        return res;
      }
      complete++;
    }
    res.outcome = complete === 2 ? 'new' : complete === 0 ? 'old' : 'new';
    if (complete === 1) res.point += ' (one group in place)';
    // The next restore: into the same folder when nothing was in place (leftover staging removed),
    // else (the targets must be empty) after removing the whole groups.
    if (complete > 0)
      for (const g of [1, 2]) rmSync(path.join(pdir, `p${g}`), { recursive: true, force: true });
    const again = await this.timedOffline(args, pdir);
    if (again.code !== 0) {
      res.detail = `next restore: ${again.out}`;
      return res;
    }
    const stray = readdirSync(pdir).filter((n) => n !== 'p1' && n !== 'p2');
    if (stray.length > 0) {
      res.detail = `leftovers after the next restore: ${stray.join(', ')}`;
      return res;
    }
    for (const g of [1, 2]) {
      const got = await this.exportDir(path.join(pdir, `p${g}`), `off-${round}-p${g}-again`);
      if (got.data !== this.refOffline[g - 1]!.data) {
        res.detail = `next restore: p${g} differs from the reference`;
        return res;
      }
    }
    res.nextOk = true;
    rmSync(pdir, { recursive: true, force: true });
    return res;
  }

  async stop(): Promise<void> {
    await this.cluster.stop();
  }
}

/** The results as a Markdown table: per target, rounds, kill points, outcomes, failures. */
export function resultsTable(results: readonly RoundResult[]): string {
  const rows = [
    '| kill target | rounds | kill points hit | old | new | next restore ok | failures |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const t of KILL_TARGETS) {
    const rs = results.filter((r) => r.target === t);
    if (rs.length === 0) continue;
    const points = new Map<string, number>();
    for (const r of rs) {
      const k = r.point.replace(/off-\d+/g, '');
      points.set(k, (points.get(k) ?? 0) + 1);
    }
    const pts = [...points].map(([k, n]) => `${k} ×${n}`).join('; ');
    rows.push(
      `| ${t} | ${rs.length} | ${pts} | ${rs.filter((r) => r.outcome === 'old').length} | ` +
        `${rs.filter((r) => r.outcome === 'new').length} | ${rs.filter((r) => r.nextOk).length} | ` +
        `${rs.filter((r) => r.outcome === 'FAIL' || !r.nextOk).length} |`,
    );
  }
  return rows.join('\n');
}
