// `/metrics` on Zero and the Alphas (src/metrics/): the HTTP and process metrics every node has,
// backups and online restores as coordinator and as group, restoreStatus's progress, the auth
// token on `/metrics`, and the log lines of each backup phase.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, serverLogger, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'metrics-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-metrics-test-'));
const backups = path.join(root, 'backups');
let zero: Zero;
let a1: Alpha;
let a2: Alpha;
/** Every log line of the Alphas, parsed. */
const lines: Record<string, unknown>[] = [];

function collector(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
}

beforeAll(async () => {
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 2 });
  const common = {
    zero: `127.0.0.1:${zero.port}`,
    port: 0,
    token: TOKEN,
    restoreDirs: [root],
  };
  for (const g of [1, 2]) {
    const a = await createAlpha({
      ...common,
      group: g,
      dataDir: path.join(root, `p${g}`),
      logger: serverLogger({ level: 'info', name: `alpha-${g}`, pretty: false, destination: collector() }),
    });
    if (g === 1) a1 = a;
    else a2 = a;
  }
  // A predicate on each group, so that both groups hold data.
  await zero.store.moveTablet('name', 1);
  await zero.store.moveTablet('age', 2);
  await a1.app.inject({
    method: 'POST',
    url: '/alter',
    payload: 'name: string @index(exact) .\nage: int .',
  });
  const rdf = Array.from({ length: 50 }, (_, i) => `_:p${i} <name> "person ${i}" .\n_:p${i} <age> "${i}" .`);
  const m = await a1.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { 'content-type': 'application/rdf' },
    payload: `{ set { ${rdf.join('\n')} } }`,
  });
  expect(m.statusCode).toBe(200);
}, 60_000);

afterAll(async () => {
  await a1?.close();
  await a2?.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

async function metricsOf(app: Alpha['app'] | Zero['app']): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}

/** The value of one series (`name{labels}` as Prometheus prints it, labels in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = new Map(
      (m[3] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => {
          const [k, v] = kv.split('=');
          return [k!, v!.replace(/^"|"$/g, '')];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => got.get(k) === v)) return Number(m[4]);
  }
  return undefined;
}

async function admin(a: Alpha, query: string): Promise<Record<string, unknown>> {
  const res = await a.app.inject({
    method: 'POST',
    url: '/admin',
    headers: { 'content-type': 'application/json' },
    payload: { query },
  });
  return res.json() as Record<string, unknown>;
}

describe('/metrics', () => {
  it('Zero and the Alphas serve the process and HTTP metrics, labelled by node', async () => {
    await zero.app.inject({ method: 'GET', url: '/state' });
    const z = await metricsOf(zero.app);
    expect(sample(z, 'process_cpu_seconds_total', { node: 'zero' })).toBeGreaterThan(0);
    expect(sample(z, 'nodejs_heap_size_used_bytes', { node: 'zero' })).toBeGreaterThan(0);
    expect(
      sample(z, 'strata_http_requests_total', { route: '/state', method: 'GET', status_code: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(z, 'strata_zero_commits_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(1);
    expect(sample(z, 'strata_zero_max_assigned_ts')).toBeGreaterThan(0);
    const a = await metricsOf(a1.app);
    expect(sample(a, 'process_resident_memory_bytes', { node: 'alpha' })).toBeGreaterThan(0);
    expect(
      sample(a, 'strata_http_requests_total', { route: '/mutate', method: 'POST', status_code: '200' }),
    ).toBe(1);
    // The route's pattern, never the raw URL.
    expect(a).not.toMatch(/route="\/mutate\?/);
    expect(sample(a, 'strata_store_keys', { group: '1' })).toBeGreaterThan(50);
    expect(sample(a, 'strata_store_size_bytes', { group: '1' })).toBeGreaterThan(0);
    expect(sample(a, 'strata_lock_wait_seconds_count', { lock: 'commit' })).toBeGreaterThanOrEqual(1);
  });

  it('a full then an incremental backup: counters, bytes per group, phases, last success, log lines', async () => {
    lines.length = 0;
    for (const expected of ['full', 'incremental']) {
      const r = await admin(
        a1,
        `mutation { backup(input: {destination: "${backups}"}) { response { code message } } }`,
      );
      expect(JSON.stringify(r)).toContain('Success');
      expect(JSON.stringify(r)).toContain(expected);
    }
    const a = await metricsOf(a1.app);
    for (const type of ['full', 'incremental']) {
      expect(sample(a, 'strata_backups_started_total', { type, destination_kind: 'file' })).toBe(1);
      expect(sample(a, 'strata_backups_succeeded_total', { type, destination_kind: 'file' })).toBe(1);
      expect(sample(a, 'strata_backup_duration_seconds_count', { type })).toBe(1);
    }
    const last = sample(a, 'strata_backup_last_success_timestamp_seconds', { destination: backups });
    expect(last).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(last).toBeLessThanOrEqual(Date.now() / 1000);
    for (const phase of ['plan', 'manifest']) {
      expect(sample(a, 'strata_backup_phase_duration_seconds_count', { phase })).toBe(2);
    }
    // Each group's file is counted on the Alpha that wrote it.
    const b = await metricsOf(a2.app);
    for (const [text, group] of [
      [a, '1'],
      [b, '2'],
    ] as const) {
      expect(sample(text, 'strata_backup_files_written_total', { group })).toBe(2);
      expect(sample(text, 'strata_backup_bytes_written_total', { group })).toBeGreaterThan(100);
      expect(sample(text, 'strata_backup_keys_written_total', { group })).toBeGreaterThan(0);
      for (const phase of ['snapshot', 'encode', 'upload']) {
        expect(sample(text, 'strata_backup_phase_duration_seconds_count', { phase })).toBe(2);
      }
    }
    expect(sample(a, 'strata_lock_wait_seconds_count', { lock: 'backup' })).toBe(2);
    // backupProgress (what `strata backup` polls): the coordinator's last backup, finished.
    const bp = (await admin(
      a1,
      '{ backupProgress { running phase type backupNum bytesDone groups { group bytesDone done } } }',
    )) as { data: { backupProgress: Record<string, unknown> & { groups: { bytesDone: number }[] } } };
    expect(bp.data.backupProgress).toMatchObject({
      running: false,
      phase: 'done',
      type: 'incremental',
      backupNum: 2,
      groups: [
        { group: 1, done: true },
        { group: 2, done: true },
      ],
    });
    const groupBytes = bp.data.backupProgress.groups.reduce((n, g) => n + g.bytesDone, 0);
    expect(bp.data.backupProgress.bytesDone).toBe(groupBytes);
    expect(groupBytes).toBeGreaterThan(100);
    expect(await admin(a2, '{ backupProgress { phase } }')).toEqual({ data: { backupProgress: null } });
    // One line per phase: the plan and manifest on the coordinator, a file line per group.
    const backupLines = lines.filter(
      (l) => typeof l.phase === 'string' && String(l.msg).startsWith('backup'),
    );
    expect(backupLines.map((l) => `${l.name} ${l.phase}`).sort()).toEqual(
      [
        'alpha-1 group file',
        'alpha-1 group file',
        'alpha-1 manifest',
        'alpha-1 manifest',
        'alpha-1 plan',
        'alpha-1 plan',
        'alpha-2 group file',
        'alpha-2 group file',
      ].sort(),
    );
    const manifest = backupLines.find((l) => l.phase === 'manifest')!;
    expect(manifest).toMatchObject({ level: 30, backupNum: 1 });
    expect(manifest.bytes).toBeGreaterThan(100);
    expect(typeof manifest.backupId).toBe('string');
  });

  it('a failed backup counts as failed, leaves the last success alone and logs a warning', async () => {
    const before = sample(await metricsOf(a1.app), 'strata_backup_last_success_timestamp_seconds', {
      destination: backups,
    });
    // A file where the destination folder should be: every write fails (ENOTDIR), root or not.
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    lines.length = 0;
    const r = await admin(a1, `mutation { backup(input: {destination: "${file}/x"}) { response { code } } }`);
    expect(JSON.stringify(r)).toMatch(/"errors"/);
    const after = await metricsOf(a1.app);
    const failed = ['unknown', 'full'].reduce(
      (n, type) =>
        n + (sample(after, 'strata_backups_failed_total', { type, destination_kind: 'file' }) ?? 0),
      0,
    );
    expect(failed).toBe(1);
    expect(sample(after, 'strata_backup_last_success_timestamp_seconds', { destination: backups })).toBe(
      before,
    );
    expect(sample(after, 'strata_backup_last_success_timestamp_seconds', { destination: `${file}/x` })).toBe(
      undefined,
    );
    const warn = lines.find((l) => l.phase === 'failed');
    expect(warn).toMatchObject({ level: 40, name: 'alpha-1', destination: `${file}/x` });
  });

  it('a backup refused while another holds the lock counts a lock refusal', async () => {
    const r1 = admin(a1, `mutation { backup(input: {destination: "${backups}"}) { response { code } } }`);
    const r2 = admin(a2, `mutation { backup(input: {destination: "${backups}"}) { response { code } } }`);
    const answers = (await Promise.all([r1, r2])).map((r) => JSON.stringify(r));
    const refused = answers.filter((s) => /refused/.test(s)).length;
    const texts = [await metricsOf(a1.app), await metricsOf(a2.app)];
    const refusals = texts.reduce(
      (n, t) => n + (sample(t, 'strata_lock_refusals_total', { lock: 'backup' }) ?? 0),
      0,
    );
    expect(refusals).toBe(refused);
  });

  it('an online restore: restoreStatus shows each group progress; the restore counters and gauges follow', async () => {
    const started = await admin(
      a1,
      `mutation { restore(input: {location: "${backups}"}) { code restoreId } }`,
    );
    const id = (started as { data: { restore: { restoreId: number } } }).data.restore.restoreId;
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      const r = await admin(
        a1,
        `{ restoreStatus(restoreId: ${id}) { status errors bytesDone bytesTotal keysDone groups { group phase bytesDone bytesTotal filesDone filesTotal keysDone } } }`,
      );
      status = (r as { data: { restoreStatus: Record<string, unknown> } }).data.restoreStatus;
      if (status.status !== 'IN_PROGRESS') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(status.status).toBe('OK');
    const groups = status.groups as {
      group: number;
      phase: string;
      bytesDone: number;
      bytesTotal: number;
      filesDone: number;
      keysDone: number;
    }[];
    expect(groups.map((g) => g.group)).toEqual([1, 2]);
    for (const g of groups) {
      expect(g.phase).toBe('staged');
      expect(g.bytesTotal).toBeGreaterThan(0);
      expect(g.bytesDone).toBe(g.bytesTotal);
      expect(g.keysDone).toBeGreaterThan(0);
    }
    expect(status.bytesDone).toBe(groups[0]!.bytesDone + groups[1]!.bytesDone);
    expect(status.keysDone).toBe(groups[0]!.keysDone + groups[1]!.keysDone);
    const a = await metricsOf(a1.app);
    expect(sample(a, 'strata_restores_started_total', { destination_kind: 'file' })).toBe(1);
    expect(sample(a, 'strata_restores_succeeded_total', { destination_kind: 'file' })).toBe(1);
    expect(sample(a, 'strata_restore_in_progress')).toBe(0);
    expect(sample(a, 'strata_restore_bytes_total', { group: '2' })).toBe(groups[1]!.bytesTotal);
    expect(sample(a, 'strata_restore_keys_done', { group: '1' })).toBe(groups[0]!.keysDone);
    for (const phase of ['check', 'stage', 'switch']) {
      expect(sample(a, 'strata_restore_phase_duration_seconds_count', { phase })).toBe(1);
    }
    expect(lines.some((l) => l.phase === 'switch' && l.name === 'alpha-2')).toBe(true);
  });
});

describe('/metrics behind the auth token', () => {
  it('is refused without the token and served with it, even with token-for=admin', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strata-metrics-auth-'));
    const z = await createZero({
      dataDir: path.join(dir, 'zw'),
      port: 0,
      token: TOKEN,
      security: { token: 'scrape-secret-123', tokenFor: 'admin' },
    });
    try {
      const none = await z.app.inject({ method: 'GET', url: '/metrics' });
      expect(none.statusCode).toBe(401);
      const ok = await z.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { 'x-dgraph-authtoken': 'scrape-secret-123' },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('strata_http_requests_total');
      expect(ok.body).not.toContain('scrape-secret-123');
      // Prometheus' own form (authorization.credentials_file): Bearer, on /metrics only.
      const bearer = await z.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secret-123' },
      });
      expect(bearer.statusCode).toBe(200);
      const wrong = await z.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secret-124' },
      });
      expect(wrong.statusCode).toBe(401);
      const admin = await z.app.inject({
        method: 'POST',
        url: '/admin',
        headers: { authorization: 'Bearer scrape-secret-123', 'content-type': 'application/json' },
        payload: { query: '{ health { status } }' },
      });
      expect(admin.statusCode).toBe(401);
    } finally {
      await z.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
