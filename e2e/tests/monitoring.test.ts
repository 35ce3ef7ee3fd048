// deploy/ checked on a real Prometheus (Debian's package, scripts/setup/prometheus.sh) scraping a real
// 3-group cluster: promtool accepts the alert rules, their unit tests and the example config; Zero and
// the three Alphas are scraped (up == 1); after data, full and incremental backups, a backup that
// fails, an online restore and two refused ones (a checksum mismatch, a file the decoder refuses),
// every query of every panel of deploy/grafana/strata-dashboard.json (variables given concrete
// values) returns data; StrataBackupFailed and StrataRestoreFailed fire; and once backups stop,
// StrataBackupTooOld fires (its rule file is deploy/prometheus/alerts.yml with only the 25-hour
// threshold replaced by AGE_LIMIT_S seconds). No wall-clock assertion but generous polling timeouts.
//
// STRATA_SCREENSHOT=docs/images/dashboard.png also draws the dashboard's queries with the test
// renderer (e2e/monitoring/render, uPlot) in Debian's Chromium and saves a PNG there (the README's).
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDashboard, panelQueries, type PanelQuery } from '../monitoring/dashboard.js';
import { Prometheus, promtool, requireBinaries, waitFor, type Series } from '../monitoring/prometheus.js';
import { repoRoot } from './paths.js';
import { freePort, killAll, run, secretFile, start, waitHealthy } from './procs.js';
import { RESTORE, STATUS, TestCluster, restoreOnline } from './harness.js';

const DEPLOY = path.join(repoRoot, 'deploy/prometheus');
/** StrataBackupTooOld's threshold in the test's copy of the rules (25 hours in deploy/). */
const AGE_LIMIT_S = 15;
/** What Grafana's variables stand for: $__rate_interval at 1 s scrapes, every job. */
const VARS = { __rate_interval: '10s', job: '.+' };
const SCREENSHOT = process.env.STRATA_SCREENSHOT;
/** Incremental rounds (more when drawing the screenshot, for a longer story on its charts). */
const ROUNDS = SCREENSHOT ? 8 : 3;

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-monitoring-'));
const cluster = new TestCluster(tmp, 'mon', 3);
const prom = new Prometheus(path.join(tmp, 'prometheus'));
const backups = path.join(tmp, 'backups');
let substitutions = -1;
let t0 = 0;

/** deploy/prometheus/alerts.yml with the 25-hour threshold (and nothing else) replaced by AGE_LIMIT_S. */
function testRules(): string {
  const rules = readFileSync(path.join(DEPLOY, 'alerts.yml'), 'utf8');
  const threshold = /> 25 \* 3600\b/g;
  substitutions = rules.match(threshold)?.length ?? 0;
  if (substitutions !== 1) throw new Error(`alerts.yml: the 25-hour threshold found ${substitutions} times`);
  return rules.replace(threshold, `> ${AGE_LIMIT_S}`);
}

/** `n` people of round `round`: names, ages, cities, scores, bios and a chain of friends. */
function people(round: number, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `_:r${round}n${i}`;
    lines.push(
      `${id} <name> "person ${round}-${i}" .`,
      `${id} <age> "${20 + (i % 60)}" .`,
      `${id} <city> "city ${i % 37}" .`,
      `${id} <score> "${(i * 1.5).toFixed(1)}" .`,
      `${id} <bio> "round ${round}, person ${i}: ${'lorem ipsum '.repeat(i % 20)}" .`,
    );
    if (i > 0) lines.push(`${id} <friend> _:r${round}n${i - 1} .`);
  }
  return lines.join('\n');
}

async function backup(destination: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(['backup', '--alpha', cluster.addr(1), '--destination', destination]);
}

/** Every data file (`*.backup`) below `dir`. */
function backupFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.backup'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Flips bytes in the middle of `file` (it keeps its length). */
function corrupt(file: string): void {
  const b = readFileSync(file);
  const mid = Math.floor(b.length / 2);
  for (let i = mid; i < Math.min(b.length, mid + 16); i++) b[i] = b[i]! ^ 0xff;
  writeFileSync(file, b);
}

/** Whether a range or instant answer holds at least one finite number. */
function hasNumber(series: Series[]): boolean {
  return series.some((s) =>
    [...(s.values ?? []), ...(s.value ? [s.value] : [])].some(([, v]) => Number.isFinite(Number(v))),
  );
}

async function firing(name: string): Promise<{ labels: Record<string, string>; activeAt: string }[]> {
  return (await prom.alerts()).filter((a) => a.labels.alertname === name && a.state === 'firing');
}

/** Set when Prometheus is not installed: every test then fails with it (a failure, never a skip). */
let notInstalled: Error | undefined;
function needPrometheus(): void {
  if (notInstalled) throw notInstalled;
}

beforeAll(async () => {
  try {
    requireBinaries();
  } catch (err) {
    notInstalled = err as Error;
    return;
  }
  mkdirSync(prom.dir, { recursive: true });
  writeFileSync(path.join(prom.dir, 'alerts.yml'), testRules());
  await cluster.start();
  await prom.start(
    await freePort(),
    [
      { job: 'strata-zero', targets: [`127.0.0.1:${cluster.zeroPort}`] },
      { job: 'strata-alpha', targets: cluster.alphas.map((a) => `127.0.0.1:${a.port}`) },
    ],
    ['alerts.yml'],
  );
  t0 = Math.floor(Date.now() / 1000);
}, 120_000);

afterAll(async () => {
  await prom.stop();
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe('monitoring: deploy/ on a real Prometheus scraping a 3-group cluster', () => {
  it('promtool accepts the alert rules, their unit tests and the example config', async () => {
    needPrometheus();
    expect(substitutions).toBe(1);
    const rules = await promtool(['check', 'rules', 'alerts.yml'], DEPLOY);
    expect(rules.code, rules.out).toBe(0);
    const unit = await promtool(['test', 'rules', 'alerts.test.yml'], DEPLOY);
    expect(unit.code, unit.out).toBe(0);
    const config = await promtool(['check', 'config', 'prometheus.yml'], DEPLOY);
    expect(config.code, config.out).toBe(0);
    const copy = await promtool(['check', 'rules', path.join(prom.dir, 'alerts.yml')]);
    expect(copy.code, copy.out).toBe(0);
  });

  it('scrapes Zero and the three Alphas', async () => {
    needPrometheus();
    const up = await waitFor('up == 1 on 4 targets', async () => {
      const r = await prom.query('up');
      return r.length === 4 && r.every((s) => s.value?.[1] === '1') ? r : undefined;
    });
    expect(up.map((s) => s.metric.job).sort()).toEqual([
      'strata-alpha',
      'strata-alpha',
      'strata-alpha',
      'strata-zero',
    ]);
    const targets = await prom.targets();
    expect(targets.map((t) => t.scrapeUrl).sort()).toEqual(
      [cluster.zeroPort, ...cluster.alphas.map((a) => a.port)]
        .map((p) => `http://127.0.0.1:${p}/metrics`)
        .sort(),
    );
    // Each node's own metrics, with its `node` label.
    const nodes = await waitFor('process metrics of 4 nodes', async () => {
      const r = await prom.query('process_resident_memory_bytes');
      return r.length === 4 ? r : undefined;
    });
    expect(nodes.map((s) => s.metric.node).sort()).toEqual(['alpha', 'alpha', 'alpha', 'zero']);
  });

  it('every panel query of the dashboard returns data after backups, a failed backup and restores', async () => {
    needPrometheus();
    await cluster.alter(
      [
        'name: string @index(exact) .',
        'age: int @index(int) .',
        'city: string @index(term) .',
        'score: float .',
        'bio: string .',
        'friend: [uid] @reverse @count .',
      ].join('\n'),
    );
    await cluster.mutate(people(0, 1500));
    const full = await backup(backups);
    expect(full.code, full.stderr).toBe(0);
    for (let round = 1; round <= ROUNDS; round++) {
      await cluster.mutate(people(round, 500), round % 3);
      if (SCREENSHOT) await new Promise((res) => setTimeout(res, 5000));
      const inc = await backup(backups);
      expect(inc.code, inc.stderr).toBe(0);
    }

    // A backup that fails: its destination is below a regular file.
    const blocker = path.join(tmp, 'blocker');
    writeFileSync(blocker, 'not a folder');
    const failed = await backup(path.join(blocker, 'sub'));
    expect(failed.code).toBe(1);

    // An online restore of the latest backup into the same cluster.
    await restoreOnline(cluster, { location: backups }, 120_000);
    // Prometheus sees it done in every group before the next restore starts the gauges again.
    await waitFor(
      'restore progress at 1 in every group',
      async () => {
        const r = await prom.query(
          'max by (group) (strata_restore_bytes_done) / max by (group) (strata_restore_bytes_total)',
        );
        return r.length === 3 && r.every((x) => x.value![1] === '1') ? r : undefined;
      },
      30_000,
    ).catch(async (err: Error) => {
      const r = await prom.query('{__name__=~"strata_restore_bytes_.*"}');
      throw new Error(`${err.message}: ${JSON.stringify(r.map((x) => [x.metric, x.value]))}`);
    });

    // Refused restores: a data file whose bytes no longer match the manifest's sha256, and one
    // whose manifest carries no checksums (as Dgraph's) so that the decoder meets the damage.
    const badSum = path.join(tmp, 'bad-checksum');
    cpSync(backups, badSum, { recursive: true });
    corrupt(backupFiles(badSum)[0]!);
    const r1 = await cluster.gql(RESTORE, { input: { location: badSum } });
    expect(JSON.stringify(r1)).toMatch(/checksum mismatch/);
    const undecodable = path.join(tmp, 'undecodable');
    cpSync(backups, undecodable, { recursive: true });
    for (const f of readdirSync(undecodable, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('manifest.json'),
    )) {
      const file = path.join(undecodable, f);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/"checksums"\s*:\s*\{[^}]*\}\s*,?/g, ''));
    }
    corrupt(backupFiles(undecodable)[0]!);
    // Its check passes (nothing to compare); the groups' decoders refuse the file while staging.
    const r2 = await cluster.gql<{ restore: { restoreId: number } }>(RESTORE, {
      input: { location: undecodable },
    });
    expect(r2.errors, JSON.stringify(r2)).toBeUndefined();
    const id = r2.data!.restore.restoreId;
    const status = await waitFor('the undecodable restore to end', async () => {
      const s = await cluster.gql<{ restoreStatus: { status: string; errors: string[] } }>(STATUS, { id });
      const st = s.data?.restoreStatus;
      return st && st.status !== 'IN_PROGRESS' ? st : undefined;
    });
    expect(status.status, JSON.stringify(status)).toBe('ERR');
    expect(status.errors.join('\n')).not.toMatch(/checksum mismatch/);

    // Backups go on after the restore.
    const after = await backup(backups);
    expect(after.code, after.stderr).toBe(0);

    const queries = panelQueries(loadDashboard(), VARS);
    expect(queries.length).toBeGreaterThan(25);
    const missing = (qs: PanelQuery[], answers: Series[][]) =>
      qs.filter((_, i) => !hasNumber(answers[i]!)).map((q) => `${q.panel} ${q.refId}: ${q.expr}`);
    const answers = await waitFor(
      'every panel query answers',
      async () => {
        const end = Math.floor(Date.now() / 1000);
        const a = await Promise.all(
          queries.map((q) => (q.instant ? prom.query(q.expr) : prom.queryRange(q.expr, t0, end, 1))),
        );
        // Every target up at the end of the range, too (a scrape of a busy node may time out).
        const up = a[queries.findIndex((q) => q.panel === 'Targets up' && q.refId === 'A')]!;
        return missing(queries, a).length === 0 && up[0]?.value?.[1] === '4' ? a : undefined;
      },
      60_000,
    ).catch(async (err: Error) => {
      const end = Math.floor(Date.now() / 1000);
      const a = await Promise.all(
        queries.map((q) => (q.instant ? prom.query(q.expr) : prom.queryRange(q.expr, t0, end, 1))),
      );
      throw new Error(`${err.message}; no data for:\n${missing(queries, a).join('\n')}`);
    });

    // A few answers checked closer: every group wrote backup bytes and was restored to the end.
    const by = (panel: string, refId = 'A') =>
      answers[queries.findIndex((q) => q.panel === panel && q.refId === refId)]!;
    const groups = (s: Series[]) => s.map((x) => x.metric.group).sort();
    expect(groups(by('Backup throughput by group'))).toEqual(['1', '2', '3']);
    const progress = by('Restore progress by group');
    expect(groups(progress)).toEqual(['1', '2', '3']);
    // The successful restore reached 1 in every group (the refused ones that followed start again at 0).
    for (const s of progress) expect(Math.max(...s.values!.map(([, v]) => Number(v) || 0))).toBe(1);
    const age = by('Time since last successful backup');
    expect(age.map((s) => s.metric.destination)).toEqual([backups]);
    expect([by('Targets up', 'A')[0]!.value![1], by('Targets up', 'B')[0]!.value![1]]).toEqual(['4', '4']);
    // Every decoder error code is there from the start at 0; one rose, and the checksum mismatch.
    const rose = (s: Series[]) => s.filter((x) => x.values!.some(([, v]) => Number(v) > 0));
    expect(by('Decode and checksum errors', 'A').length).toBeGreaterThan(1);
    expect(rose(by('Decode and checksum errors', 'A'))).toHaveLength(1);
    expect(rose(by('Decode and checksum errors', 'B'))).toHaveLength(1);
  }, 300_000);

  it('StrataBackupFailed and StrataRestoreFailed fire', async () => {
    needPrometheus();
    const b = await waitFor('StrataBackupFailed firing', async () => {
      const a = await firing('StrataBackupFailed');
      return a.length > 0 ? a : undefined;
    });
    expect(b.map((a) => a.labels.destination_kind)).toEqual(['file']);
    expect(b[0]!.labels.severity).toBe('warning');
    const r = await waitFor('StrataRestoreFailed firing', async () => {
      const a = await firing('StrataRestoreFailed');
      return a.length > 0 ? a : undefined;
    });
    expect(r.map((a) => a.labels.destination_kind)).toEqual(['file']);
  }, 120_000);

  it('StrataBackupTooOld fires once backups stop', async () => {
    needPrometheus();
    const last = await prom.query('max(strata_backup_last_success_timestamp_seconds)');
    const lastSuccess = Number(last[0]!.value![1]);
    const alert = await waitFor(
      'StrataBackupTooOld firing',
      async () => {
        const a = await firing('StrataBackupTooOld');
        return a.length > 0 ? a : undefined;
      },
      120_000,
    );
    expect(alert.map((a) => a.labels.destination)).toEqual([backups]);
    expect(alert[0]!.labels.severity).toBe('critical');
    // It became active only once the last success was older than the threshold.
    expect(Date.parse(alert[0]!.activeAt) / 1000).toBeGreaterThan(lastSuccess + AGE_LIMIT_S);
  }, 180_000);

  it('scrapes a node behind an auth token with the Bearer credentials file of the example config', async () => {
    needPrometheus();
    const scrapeToken = 'monitoring-scrape-token-5f1e';
    const zeroPort = await freePort();
    const zero = start([
      'zero',
      '--port',
      String(zeroPort),
      '--data',
      path.join(tmp, 'tokened-zw'),
      '--security',
      `token-file=${secretFile(scrapeToken)}`,
    ]);
    await waitHealthy(`http://127.0.0.1:${zeroPort}`, zero);
    const second = new Prometheus(path.join(tmp, 'prometheus-token'));
    mkdirSync(second.dir, { recursive: true });
    try {
      await second.start(
        await freePort(),
        [
          {
            job: 'right-token',
            targets: [`127.0.0.1:${zeroPort}`],
            credentialsFile: secretFile(scrapeToken),
          },
          { job: 'wrong-token', targets: [`127.0.0.1:${zeroPort}`], credentialsFile: secretFile('not-it') },
          { job: 'no-token', targets: [`127.0.0.1:${zeroPort}`] },
        ],
        [],
      );
      const up = await waitFor('up of three jobs', async () => {
        const r = await second.query('up');
        return r.length === 3 ? Object.fromEntries(r.map((s) => [s.metric.job, s.value?.[1]])) : undefined;
      });
      expect(up).toEqual({ 'right-token': '1', 'wrong-token': '0', 'no-token': '0' });
      const errors = (await second.targets()).filter((t) => t.health === 'down').map((t) => t.lastError);
      expect(errors).toHaveLength(2);
      for (const e of errors) expect(e).toMatch(/401/);
      const zeroNodes = await second.query('strata_zero_commits_total{job="right-token"}');
      expect(zeroNodes.map((s) => s.metric.outcome).sort()).toEqual(['aborted', 'committed', 'conflict']);
    } finally {
      await second.stop();
    }
  }, 120_000);

  if (SCREENSHOT) {
    it(`draws the dashboard's queries in Chromium into ${SCREENSHOT}`, async () => {
      needPrometheus();
      const { screenshot, pngSize } = await import('../monitoring/screenshot.js');
      const out = path.resolve(repoRoot, SCREENSHOT);
      await screenshot({
        prometheusUrl: prom.url,
        from: t0,
        to: Math.floor(Date.now() / 1000),
        rate: VARS.__rate_interval,
        out,
      });
      expect(existsSync(out)).toBe(true);
      expect(pngSize(out).width).toBe(1600);
    }, 120_000);
  }
});
