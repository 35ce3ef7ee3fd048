/**
 * Backup torture: kill -9 of Zero, the coordinating Alpha or another group's Alpha at a random
 * moment during a backup to a local folder (v21.03 layout: the master manifest), restart it, then
 * check what every reader sees and that the next backup succeeds. A round:
 *
 * 1. a few writes, so every backup has something new;
 * 2. the `backup` mutation sent to the coordinator (group 1's Alpha), and after a random delay
 *    (0 .. 1.5 × the last measured backup time) kill -9 of the target;
 * 3. restart of the target on the same data and port, waiting until it is healthy;
 * 4. readers: listBackups, `strata ls --json` and `strata verify` agree and verify passes (every
 *    listed backup complete, checksums right); a backup whose mutation answered with an error is
 *    not listed; one that answered Success is;
 * 5. the next backup succeeds (retried while the dead holder's lease runs out or the cluster comes
 *    back, within a bound) and is listed.
 *
 * At the end of each target's rounds the last backup is restored offline (strata restore) and its
 * export (strata export -p) must equal the source's export at the backup's readTs.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { listBackups } from '@strata/core';
import { readDump, TestCluster } from '../tests/harness.js';
import { restoreArgs, run, waitHealthy, type Proc } from '../tests/procs.js';

export type KillTarget = 'zero' | 'coordinator' | 'group';

export interface RoundResult {
  target: KillTarget;
  round: number;
  /** Delay from sending the mutation to the kill, and as a fraction of the measured backup time. */
  killAtMs: number;
  killFraction: number;
  /** `Success`, `error: …` (the mutation answered with an error), or `no answer` (connection lost). */
  outcome: string;
  /** The mutation had answered before the kill landed. */
  answeredBeforeKill: boolean;
  listedBefore: number;
  listedAfterKill: number;
  nextBackupAttempts: number;
  failures: string[];
}

const MUTATION =
  'mutation ($input: BackupInput!) { backup(input: $input) { response { code message } taskId } }';

interface GqlAnswer {
  data?: { backup?: { response: { code: string; message: string } } };
  errors?: { message: string }[];
}

async function backupCall(c: TestCluster, destination: string): Promise<string> {
  try {
    const r = await fetch(`${c.url}/admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION, variables: { input: { destination, format: 'v21.03' } } }),
      signal: AbortSignal.timeout(120_000),
    });
    const j = (await r.json()) as GqlAnswer;
    if (j.errors?.length) return `error: ${j.errors[0]!.message}`;
    return j.data?.backup?.response.code ?? `error: ${JSON.stringify(j)}`;
  } catch {
    return 'no answer';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TortureOptions {
  tmp: string;
  rounds: number;
  targets: KillTarget[];
  /** The lease TTL the Alphas run with (STRATA_BACKUP_LEASE_MS). */
  leaseMs: number;
  /** Triples loaded before the first round (sets how long a backup takes). */
  initialTriples: number;
  log?: (line: string) => void;
}

class Torture {
  readonly c: TestCluster;
  readonly location: string;
  private seq = 0;
  backupMs = 500;

  constructor(
    readonly o: TortureOptions,
    readonly name: string,
  ) {
    this.c = new TestCluster(o.tmp, name, 2, [], 'error', {
      ...process.env,
      STRATA_BACKUP_LEASE_MS: String(o.leaseMs),
    });
    this.location = path.join(o.tmp, `${name}-backups`);
  }

  async load(n: number): Promise<void> {
    // Two predicates per group's worth of writes: p0 lands on one group, p1 on the other (tablets
    // go where they are first written, spread by Zero).
    for (let done = 0; done < n; done += 2000) {
      const lines: string[] = [];
      for (let i = done; i < Math.min(n, done + 2000); i++) {
        const s = this.seq++;
        lines.push(`_:n${i} <p${s % 4}> "value ${s} ${'x'.repeat(40)}" .`);
      }
      await this.c.mutate(lines.join('\n'), (done / 2000) % 2);
    }
  }

  proc(target: KillTarget): Proc {
    if (target === 'zero') return this.c.zero!;
    return this.c.alphas[target === 'coordinator' ? 0 : 1]!.proc!;
  }

  async restart(target: KillTarget): Promise<void> {
    if (target === 'zero') {
      await this.c.startZero();
      return;
    }
    const i = target === 'coordinator' ? 0 : 1;
    const p = this.c.startAlpha(i);
    await waitHealthy(`http://127.0.0.1:${this.c.alphas[i]!.port}`, p);
  }

  async listed(): Promise<string[]> {
    try {
      return (await listBackups({ location: this.location })).map((b) => b.path);
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return [];
      throw err;
    }
  }

  /** Every reader agrees on the listing and verify passes. */
  async readers(failures: string[]): Promise<string[]> {
    const mine = await this.listed();
    if (mine.length === 0) return mine;
    const ls = await run(['ls', this.location, '--json']);
    if (ls.code !== 0) failures.push(`strata ls failed: ${ls.stderr.trim()}`);
    else {
      const paths = (JSON.parse(ls.stdout) as { path: string }[]).map((b) => b.path);
      if (JSON.stringify(paths) !== JSON.stringify(mine))
        failures.push(`strata ls lists ${paths.length}, listBackups ${mine.length}`);
    }
    const v = await run(['verify', this.location]);
    if (v.code !== 0) failures.push(`strata verify failed: ${(v.stderr || v.stdout).trim().slice(0, 300)}`);
    return mine;
  }

  /** The next backup, retried while a dead holder's lease runs out or the cluster recovers. */
  async nextBackup(failures: string[]): Promise<number> {
    const end = Date.now() + 10 * this.o.leaseMs + 30_000;
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      const r = await backupCall(this.c, this.location);
      if (r === 'Success') {
        this.backupMs = Math.max(50, Date.now() - t0);
        return attempt;
      }
      if (Date.now() > end) {
        failures.push(`the next backup did not succeed within the bound: ${r}`);
        return attempt;
      }
      await sleep(200);
    }
  }

  async round(target: KillTarget, round: number): Promise<RoundResult> {
    const failures: string[] = [];
    await this.load(200);
    const before = await this.listed();
    const killAtMs = Math.floor(Math.random() * 1.5 * this.backupMs);
    let answered = false;
    const call = backupCall(this.c, this.location).then((r) => {
      answered = true;
      return r;
    });
    await sleep(killAtMs);
    const answeredBeforeKill = answered;
    const p = this.proc(target);
    p.child.kill('SIGKILL');
    await p.exited;
    const outcome = await call;
    await this.restart(target);
    const afterKill = await this.readers(failures);
    const added = afterKill.filter((x) => !before.includes(x));
    if (before.some((x) => !afterKill.includes(x))) failures.push('a backup listed before the round is gone');
    if (outcome.startsWith('error') && added.length > 0)
      failures.push(`the backup failed (${outcome}) but the manifest lists ${added.join(', ')}`);
    if (outcome === 'Success' && added.length !== 1)
      failures.push(`the backup succeeded but ${added.length} new entries are listed`);
    const nextBackupAttempts = await this.nextBackup(failures);
    const afterNext = await this.listed();
    if (afterNext.length !== afterKill.length + 1)
      failures.push(
        `after the next backup ${afterNext.length} backups are listed, expected ${afterKill.length + 1}`,
      );
    const r: RoundResult = {
      target,
      round,
      killAtMs,
      killFraction: killAtMs / this.backupMs,
      outcome: outcome.length > 90 ? `${outcome.slice(0, 90)}…` : outcome,
      answeredBeforeKill,
      listedBefore: before.length,
      listedAfterKill: afterKill.length,
      nextBackupAttempts,
      failures,
    };
    this.o.log?.(JSON.stringify(r));
    return r;
  }

  /** Restores the last backup offline into a fresh cluster and compares its export with the source's. */
  async restoreCheck(failures: string[]): Promise<void> {
    const list = await listBackups({ location: this.location });
    const last = list.at(-1)!;
    const expected = await this.c.export(`${this.name}-expected`, last.readTs);
    const pdir = path.join(this.o.tmp, `${this.name}-restored`);
    rmSync(pdir, { recursive: true, force: true });
    mkdirSync(pdir, { recursive: true });
    const r = await run(
      restoreArgs(this.location, pdir, { backupId: last.backupId, backupNum: last.backupNum }),
    );
    if (r.code !== 0) {
      failures.push(`offline restore failed: ${r.stderr.trim().slice(0, 300)}`);
      return;
    }
    const out = path.join(pdir, 'dump');
    const e = await run(['export', '-p', pdir, '--out', out]);
    if (e.code !== 0) {
      failures.push(`export of the restored folders failed: ${e.stderr.trim().slice(0, 300)}`);
      return;
    }
    const got = readDump(out);
    if (got.data !== expected.data) {
      const lines = (s: string) => s.split('\n').length;
      failures.push(
        `the restored data (${lines(got.data)} lines) differs from the source at readTs ${last.readTs} (${lines(expected.data)} lines)`,
      );
    }
    if (got.schema !== expected.schema) failures.push('the restored schema differs');
  }
}

export interface TortureResult {
  rows: RoundResult[];
  /** Per target: folders left in the location that no manifest lists (invisible to readers). */
  unlisted: Record<string, number>;
  restoreFailures: Record<string, string[]>;
  seconds: Record<string, number>;
}

export async function backupTorture(o: TortureOptions): Promise<TortureResult> {
  const rows: RoundResult[] = [];
  const restoreFailures: Record<string, string[]> = {};
  const unlisted: Record<string, number> = {};
  const seconds: Record<string, number> = {};
  for (const target of o.targets) {
    const t0 = Date.now();
    const t = new Torture(o, `torture-${target}`);
    await t.c.start();
    try {
      await t.load(o.initialTriples);
      const f: string[] = [];
      await t.nextBackup(f); // the first (full) backup, and a measure of how long one takes
      for (let i = 1; i <= o.rounds; i++) rows.push(await t.round(target, i));
      await t.restoreCheck(f);
      restoreFailures[target] = f;
      const listed = new Set(await t.listed());
      unlisted[target] = readdirSync(t.location).filter(
        (d) => d.startsWith('dgraph.') && !listed.has(d),
      ).length;
    } finally {
      await t.c.stop();
    }
    seconds[target] = (Date.now() - t0) / 1000;
  }
  return { rows, unlisted, restoreFailures, seconds };
}

/** The results as a Markdown table: per target, rounds, kill points, outcomes, failures, time. */
export function resultsTable(r: TortureResult): string {
  const lines = [
    '| target | rounds | kill at (ms, min/median/max) | killed before answer | outcome: Success / error / no answer | retries of next backup (max) | failures | unlisted folders left | restore of last backup | time (s) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const target of Object.keys(r.seconds) as KillTarget[]) {
    const rows = r.rows.filter((x) => x.target === target);
    const at = rows.map((x) => x.killAtMs).sort((a, b) => a - b);
    const count = (f: (x: RoundResult) => boolean) => rows.filter(f).length;
    const failures = rows.reduce((n, x) => n + x.failures.length, 0);
    lines.push(
      `| ${target} | ${rows.length} | ${at[0]}/${at[Math.floor(at.length / 2)]}/${at.at(-1)} | ${count((x) => !x.answeredBeforeKill)} | ` +
        `${count((x) => x.outcome === 'Success')} / ${count((x) => x.outcome.startsWith('error'))} / ${count((x) => x.outcome === 'no answer')} | ` +
        `${Math.max(...rows.map((x) => x.nextBackupAttempts)) - 1} | ${failures} | ${r.unlisted[target] ?? 0} | ${r.restoreFailures[target]?.length ? r.restoreFailures[target]!.join('; ') : 'ok'} | ${r.seconds[target]!.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
