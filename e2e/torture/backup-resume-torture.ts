/**
 * Resume torture: kill -9 of the coordinating Alpha or the other group's Alpha at a random moment
 * during a backup, restart it, run the backup again, which continues the interrupted one (resume)
 * or starts anew, and check the result against an uninterrupted backup of the same data. A 2-group
 * cluster of real processes; no writes during the rounds, so every backup holds the same KVs.
 * The Alphas run with STRATA_TEST_BACKUP_GROUP_DELAY_MS (a test-only setting: each group file's
 * write is slowed by that × its group id) so that kills land while files are half written and
 * while group 1 is done and group 2 is not. A round, on its own new location (a full backup):
 *
 * 1. the `backup` mutation to the coordinator (group 1's Alpha) and, after a random delay
 *    (0 .. the uninterrupted backup's time), kill -9 of the target;
 * 2. restart of the target on the same data and port;
 * 3. the backup again (retried while the dead holder's lease runs out), unless the first one had
 *    answered Success before the kill (killed between its manifest and its answer, it is listed:
 *    the backup again is then an incremental #2);
 * 4. checks: one backup listed (full, #1), its files' sha256 as the manifest says, no resume
 *    journal and no unlisted folder left, and the decoded KVs of each group file (key, value,
 *    user meta) equal those of the uninterrupted backup's file of that group.
 *
 * Each round records whether the second backup resumed (keeping how many group files) or started
 * anew.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createBackupDecoder,
  listBackups,
  openDestination,
  readManifests,
  type DecodedKv,
} from '@strata/core';
import { TestCluster } from '../tests/harness.js';
import { waitHealthy } from '../tests/procs.js';

export type ResumeKillTarget = 'coordinator' | 'group';

export interface ResumeRound {
  round: number;
  target: ResumeKillTarget;
  killAtMs: number;
  /** What the interrupted call answered: `Success`, `error: …` or `no answer`. */
  outcome: string;
  /**
   * The second backup: `resumed` (kept ≥ 1 group file), `resumed-none` (kept none), `fresh`, or
   * `none` (not needed: the first answered Success).
   */
  next: 'resumed' | 'resumed-none' | 'fresh' | 'none';
  keptGroups: number[];
  attempts: number;
  /** The first backup was listed though the kill took its answer (the second is an incremental). */
  lostAnswer: boolean;
  /** The answers of the attempts of the second backup that did not succeed, with their time. */
  refusals: string[];
  seconds: number;
  failures: string[];
}

const MUTATION =
  'mutation ($input: BackupInput!) { backup(input: $input) { response { code message } taskId } }';

interface GqlAnswer {
  data?: { backup?: { response: { code: string; message: string } } };
  errors?: { message: string }[];
}

/** The mutation's answer: `Success: <message>`, `error: <message>`, or `no answer`. */
export async function backupCall(url: string, input: Record<string, unknown>): Promise<string> {
  try {
    const r = await fetch(`${url}/admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION, variables: { input } }),
      signal: AbortSignal.timeout(120_000),
    });
    const j = (await r.json()) as GqlAnswer;
    if (j.errors?.length) return `error: ${j.errors[0]!.message}`;
    const res = j.data?.backup?.response;
    return res ? `${res.code}: ${res.message}` : `error: ${JSON.stringify(j)}`;
  } catch {
    return 'no answer';
  }
}

/** The access and secret keys of a backup input, for reading its location. */
function credentials(extra: Record<string, unknown>): { accessKey?: string; secretKey?: string } {
  return {
    ...(typeof extra.accessKey === 'string' ? { accessKey: extra.accessKey } : {}),
    ...(typeof extra.secretKey === 'string' ? { secretKey: extra.secretKey } : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per group file of a local backup folder: the number of KVs and a digest of their (key, value, meta). */
export async function groupDigests(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(folder)
    .filter((x) => x.endsWith('.backup'))
    .sort()) {
    const group = /-g(\d+)\.backup$/.exec(f)![1]!;
    const rows: string[] = [];
    await pipeline(
      createReadStream(path.join(folder, f)),
      createBackupDecoder({ mode: 'kvs', source: f }),
      new Writable({
        objectMode: true,
        write(kv: DecodedKv, _e, done) {
          rows.push(`${kv.rawKey.toString('hex')} ${kv.value.toString('hex')} ${kv.userMeta}`);
          done();
        },
      }),
    );
    rows.sort();
    out[`g${group}`] =
      `${rows.length} kvs ${createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return out;
}

export interface ResumeTortureOptions {
  tmp: string;
  rounds: number;
  /** The lease TTL the Alphas run with (STRATA_BACKUP_LEASE_MS). */
  leaseMs: number;
  /** STRATA_TEST_BACKUP_GROUP_DELAY_MS of the Alphas. */
  groupDelayMs: number;
  /** Triples loaded before the rounds. */
  triples: number;
  log?: (line: string) => void;
}

export class ResumeTorture {
  readonly c: TestCluster;
  /** Digests of the uninterrupted backup, per group. */
  reference: Record<string, string> = {};
  backupMs = 1000;

  constructor(readonly o: ResumeTortureOptions) {
    this.c = new TestCluster(o.tmp, 'resume', 2, [], 'error', {
      ...process.env,
      STRATA_BACKUP_LEASE_MS: String(o.leaseMs),
      STRATA_TEST_BACKUP_GROUP_DELAY_MS: String(o.groupDelayMs),
    });
  }

  async start(): Promise<void> {
    await this.c.start();
    for (let done = 0; done < this.o.triples; done += 2000) {
      const lines: string[] = [];
      for (let i = done; i < Math.min(this.o.triples, done + 2000); i++) {
        lines.push(`_:n${i} <p${i % 4}> "value ${i} ${'x'.repeat(40)}" .`);
      }
      await this.c.mutate(lines.join('\n'), (done / 2000) % 2);
    }
    const ref = path.join(this.o.tmp, 'reference');
    const t0 = Date.now();
    const r = await backupCall(this.c.url, { destination: ref, format: 'v21.03' });
    if (!r.startsWith('Success')) throw new Error(`the reference backup failed: ${r}`);
    this.backupMs = Date.now() - t0;
    const [b] = await listBackups({ location: ref });
    this.reference = await groupDigests(path.join(ref, b!.path));
    if (Object.keys(this.reference).length !== 2)
      throw new Error('the reference backup does not have 2 group files');
  }

  async restart(target: ResumeKillTarget): Promise<void> {
    const i = target === 'coordinator' ? 0 : 1;
    const p = this.c.startAlpha(i);
    await waitHealthy(`http://127.0.0.1:${this.c.alphas[i]!.port}`, p);
  }

  /** The backup again, retried while a dead holder's lease runs out or the cluster recovers. */
  async again(
    input: Record<string, unknown>,
    failures: string[],
  ): Promise<{ answer: string; attempts: number; refusals: string[] }> {
    const end = Date.now() + 10 * this.o.leaseMs + 30_000;
    const refusals: string[] = [];
    for (let attempts = 1; ; attempts++) {
      const t0 = Date.now();
      const answer = await backupCall(this.c.url, input);
      if (answer.startsWith('Success') || Date.now() > end) {
        if (!answer.startsWith('Success'))
          failures.push(`the backup did not succeed again within the bound: ${answer}`);
        return { answer, attempts, refusals };
      }
      refusals.push(`${Date.now() - t0} ms: ${answer.slice(0, 160)}`);
      await sleep(200);
    }
  }

  /**
   * One round on `location` (a local folder, or a remote URL with `inspect` giving a local copy of
   * its backup folder for the KV check).
   */
  async round(
    round: number,
    target: ResumeKillTarget,
    location: string,
    extra: Record<string, unknown> = {},
    local: (folder: string) => Promise<string> = async (folder) => path.join(location, folder),
  ): Promise<ResumeRound> {
    const t0 = Date.now();
    const failures: string[] = [];
    const input = { destination: location, format: 'v21.03', ...extra };
    const killAtMs = Math.floor(Math.random() * this.backupMs);
    const call = backupCall(this.c.url, input);
    await sleep(killAtMs);
    const p = this.c.alphas[target === 'coordinator' ? 0 : 1]!.proc!;
    p.child.kill('SIGKILL');
    await p.exited;
    const outcome = await call;
    await this.restart(target);
    let next: ResumeRound['next'] = 'none';
    let keptGroups: number[] = [];
    let attempts = 0;
    let refusals: string[] = [];
    // A kill after the manifest was written and before the answer was sent: the backup is
    // complete (the manifest is its commit point), only its answer was lost (about 1 round in
    // 150). The backup again, as a user who saw no answer would run it, is then an incremental
    // #2 after it, and removes the journal the killed one may have left in its listed folder.
    const lostAnswer = !outcome.startsWith('Success') && (await this.listed(location, extra)) > 0;
    if (!outcome.startsWith('Success')) {
      const r = await this.again(input, failures);
      attempts = r.attempts;
      refusals = r.refusals;
      const m = /resumed backup \S+ #\d+ at readTs \d+: kept groups ((?:\d+, )*\d+|none),/.exec(r.answer);
      keptGroups = m && m[1] !== 'none' ? m[1]!.split(', ').map(Number) : [];
      next = m ? (keptGroups.length > 0 ? 'resumed' : 'resumed-none') : 'fresh';
    }
    await this.check(location, local, extra, failures, lostAnswer);
    const r: ResumeRound = {
      round,
      target,
      killAtMs,
      outcome: outcome.length > 100 ? `${outcome.slice(0, 100)}…` : outcome,
      lostAnswer,
      next,
      refusals,
      keptGroups,
      attempts,
      seconds: (Date.now() - t0) / 1000,
      failures,
    };
    this.o.log?.(JSON.stringify(r));
    return r;
  }

  /** Backups listed at `location` (none when a kill came before the backup made its folder). */
  async listed(location: string, extra: Record<string, unknown>): Promise<number> {
    try {
      return (await readManifests(openDestination(location, credentials(extra)))).manifests.length;
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return 0;
      throw err;
    }
  }

  async check(
    location: string,
    local: (folder: string) => Promise<string>,
    extra: Record<string, unknown>,
    failures: string[],
    /** The first backup was listed though its answer was lost: an incremental #2 follows it. */
    lostAnswer = false,
  ): Promise<void> {
    const list = (await readManifests(openDestination(location, credentials(extra)))).manifests;
    const found = list.map((b) => `${b.type} #${b.backupNum}`).join(', ');
    const expected = lostAnswer ? 'full #1, incremental #2' : 'full #1';
    if (found !== expected) {
      failures.push(`expected ${expected} listed, found ${found || 'none'}`);
      if (list.length === 0) return;
    }
    for (const listed of list) {
      const files = readdirSync(await local(listed.path)).sort();
      if (files.includes('strata-resume-journal.json'))
        failures.push(`the resume journal is left in the listed folder of #${listed.backupNum}`);
      const extraFiles = files.filter((f) => !/^r\d+-g\d+\.backup$/.test(f));
      if (extraFiles.length > 0)
        failures.push(`unexpected files in the folder of #${listed.backupNum}: ${extraFiles.join(', ')}`);
    }
    const b = list[0]!;
    const dir = await local(b.path);
    for (const [file, sha] of Object.entries(b.checksums ?? {})) {
      const got = createHash('sha256')
        .update(readFileSync(path.join(dir, file)))
        .digest('hex');
      if (got !== sha)
        failures.push(`${file}: sha256 ${got.slice(0, 12)}… is not the manifest's ${sha.slice(0, 12)}…`);
    }
    const digests = await groupDigests(dir);
    if (JSON.stringify(digests) !== JSON.stringify(this.reference)) {
      failures.push(
        `decoded KVs ${JSON.stringify(digests)} differ from the uninterrupted backup's ${JSON.stringify(this.reference)}`,
      );
    }
  }
}

/** Folders of a local location that no manifest lists. */
export async function unlistedFolders(location: string): Promise<string[]> {
  const listed = new Set((await listBackups({ location })).map((b) => b.path));
  return readdirSync(location).filter((d) => d.startsWith('dgraph.') && !listed.has(d));
}

/** The rounds as a Markdown table row per target. */
export function resumeTable(rows: ResumeRound[]): string {
  const lines = [
    '| target | rounds | kill at ms (min/median/max) | answered Success before kill | listed, answer lost | resumed (kept ≥ 1 file) | resumed, kept none | started anew | failures | seconds (max round) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const target of ['coordinator', 'group'] as const) {
    const r = rows.filter((x) => x.target === target);
    if (r.length === 0) continue;
    const at = r.map((x) => x.killAtMs).sort((a, b) => a - b);
    const n = (f: (x: ResumeRound) => boolean) => r.filter(f).length;
    lines.push(
      `| ${target} | ${r.length} | ${at[0]}/${at[Math.floor(at.length / 2)]}/${at.at(-1)} | ${n((x) => x.next === 'none')} | ${n((x) => x.lostAnswer)} | ` +
        `${n((x) => x.next === 'resumed')} | ${n((x) => x.next === 'resumed-none')} | ${n((x) => x.next === 'fresh')} | ` +
        `${r.reduce((k, x) => k + x.failures.length, 0)} | ${Math.max(...r.map((x) => x.seconds)).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
