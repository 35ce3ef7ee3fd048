import { chmodSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AdminClient,
  InvalidArgumentError,
  LocalDestination,
  openDestination,
  readManifests,
  renderVerifyReport,
  StrataError,
} from '@strata/core';
import {
  addLocation,
  adminTokenKey,
  alphaAdminClient,
  errorText,
  formatRestoreStatus,
  restoreProgressLine,
  locationKind,
  manifestDocument,
  manifestUriParts,
  normalizeLocation,
  parseJsonLossless,
  parseManifestQuery,
  parseStoredCredentials,
  printJson,
  removeLocation,
  restoreCommandLine,
  runVerify,
  secretKey,
  TreeModel,
  type BackupNode,
} from '../src/model/index.js';
import { copyFixture, FULL_3G, SERIES_2G, SERIES_3G, tempDir } from './helpers.js';

describe('open manifest (read-only JSON document)', () => {
  it('shows a per-folder manifest as the file holds it, pretty-printed without loss', async () => {
    const m = new TreeModel({ locations: () => [SERIES_2G] });
    const b = (await m.findBackup(SERIES_2G, 'wizardly_blackburn2', 6)) as BackupNode;
    const { dest } = await m.load(SERIES_2G);
    const text = await manifestDocument(dest, b.manifest);
    const file = readFileSync(path.join(SERIES_2G, b.manifest.path, 'manifest.json'), 'utf8');
    expect(JSON.parse(text)).toEqual(JSON.parse(file));
    expect(text).toContain('"backup_id": "wizardly_blackburn2"');
    expect(text).toContain('"drop_operations": [\n    {}\n  ]');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('shows the entry of a master manifest, numbers kept as written', async () => {
    const t = tempDir();
    try {
      const entry = (num: number, p: string, readTs: string): string =>
        `{"type":"${num === 1 ? 'full' : 'incremental'}","since":0,"read_ts":${readTs},"groups":{"1":["0000000000000000dgraph.type","00000000000000ffname"]},` +
        `"backup_id":"brave_x1","backup_num":${num},"version":2103,"path":"${p}","encrypted":false,"drop_operations":null,"compression":"snappy"}`;
      for (const [p, ts] of [
        ['dgraph.20240101.100000.000', '9007199254740001'],
        ['dgraph.20240101.110000.000', '9007199254740991'],
      ] as const) {
        mkdirSync(path.join(t.dir, p));
        writeFileSync(path.join(t.dir, p, `r${ts}-g1.backup`), '');
      }
      writeFileSync(
        path.join(t.dir, 'manifest.json'),
        `{"Manifests":[${entry(1, 'dgraph.20240101.100000.000', '9007199254740001')},${entry(2, 'dgraph.20240101.110000.000', '9007199254740991')}]}`,
      );
      const dest = new LocalDestination(t.dir);
      const set = await readManifests(dest);
      const second = set.manifests.find((x) => x.backupNum === 2)!;
      const text = await manifestDocument(dest, second);
      expect(text).toContain('"read_ts": 9007199254740991,');
      expect(text).toContain('"path": "dgraph.20240101.110000.000"');
      expect(text).not.toContain('"Manifests"');
      expect(text).not.toContain('9007199254740001');
    } finally {
      t.cleanup();
    }
  });

  it('lossless JSON printer round-trips and reports syntax errors', () => {
    const src = '{"a":[1,2,{"b":null}],"big":18446744073709551615,"s":"x\\"y","e":{},"l":[]}';
    const out = printJson(parseJsonLossless(src));
    expect(out).toContain('"big": 18446744073709551615');
    expect(JSON.parse(out)).toEqual(JSON.parse(src));
    expect(() => parseJsonLossless('{"a":')).toThrow(/offset/);
    expect(() => parseJsonLossless('{} x')).toThrow(/after the value/);
  });

  it('the document URI carries the location and the backup', () => {
    const ref = {
      location: 'minio://127.0.0.1:9000/b?secure=false',
      backupId: 'a b',
      backupNum: 3,
      path: 'dgraph.1',
    };
    const parts = manifestUriParts(ref);
    expect(parts.path).toBe('/a%20b/3/manifest.json');
    expect(parseManifestQuery(parts.query)).toEqual(ref);
    expect(() => parseManifestQuery('x=1')).toThrow(/not a Strata manifest URI/);
  });
});

describe('verify', () => {
  it('a whole series and one restore point of the fixtures verify OK', async () => {
    const series = await runVerify({ location: SERIES_2G, backupId: 'wizardly_blackburn2' });
    expect(series.summary).toMatchObject({ ok: true, backups: 6, problemCount: 0 });
    expect(series.summary.text).toBe(
      'Verify series wizardly_blackburn2: OK — 6 backups, 12 files read end to end',
    );
    expect(renderVerifyReport(series.report)).toMatch(/all 6 backups verified\n$/);
    const one = await runVerify({ location: SERIES_3G, backupId: 'jolly_yalow0', backupNum: 2 });
    expect(one.summary).toMatchObject({ ok: true, backups: 2 });
    expect(one.summary.text).toMatch(/^Verify backup jolly_yalow0 #2: OK/);
  });

  it('reports the first problem with its file', async () => {
    const c = copyFixture(SERIES_3G);
    try {
      const dest = new LocalDestination(c.dir);
      const set = await readManifests(dest);
      const b2 = set.manifests.find((m) => m.backupNum === 2)!;
      const b3 = set.manifests.find((m) => m.backupNum === 3)!;
      chmodSync(path.join(c.dir, b2.path), 0o755);
      chmodSync(path.join(c.dir, b3.path), 0o755);
      const truncated = `${b2.path}/r${b2.readTs}-g2.backup`;
      chmodSync(path.join(c.dir, truncated), 0o644);
      truncateSync(path.join(c.dir, truncated), 40);
      rmSync(path.join(c.dir, `${b3.path}/r${b3.readTs}-g1.backup`));
      const r = await runVerify({ location: c.dir, backupId: 'jolly_yalow0' });
      expect(r.summary.ok).toBe(false);
      expect(r.summary.firstProblem?.file).toBe(truncated);
      expect(r.summary.text).toMatch(
        new RegExp(
          `^Verify series jolly_yalow0: FAILED — ${truncated.replace(/\./g, '\\.')}: .+ \\(and 1 more problem\\)$`,
        ),
      );
      expect(renderVerifyReport(r.report)).toContain('verification FAILED');
    } finally {
      c.cleanup();
    }
  });

  it('a missing location throws core’s error, shown with the CLI’s text', async () => {
    const missing = path.join(FULL_3G, 'gone');
    const err = await runVerify({ location: missing, backupId: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect(errorText(err)).toBe(`backup location not found: ${missing}`);
  });
});

describe('copy restore command line', () => {
  it('matches `strata restore` of packages/cli/README.md, quoted for a shell', () => {
    expect(
      restoreCommandLine({ location: SERIES_3G, backupId: 'jolly_yalow0', backupNum: 2, encrypted: false }),
    ).toBe(`strata restore -l ${SERIES_3G} -p ./restored --backup_id jolly_yalow0 --backup_num 2`);
    expect(
      restoreCommandLine({
        location: "/tmp/my backups/it's",
        backupId: 'x',
        backupNum: 1,
        encrypted: true,
        pdir: '/data/p',
      }),
    ).toBe(
      `strata restore -l '/tmp/my backups/it'\\''s' -p /data/p --backup_id x --backup_num 1 --encryption_key_file <KEY_FILE>`,
    );
    expect(
      restoreCommandLine({
        location: 'minio://127.0.0.1:9000/b?secure=false',
        backupId: 'x',
        backupNum: 4,
        encrypted: false,
      }),
    ).toBe(
      `strata restore -l 'minio://127.0.0.1:9000/b?secure=false' -p ./restored --backup_id x --backup_num 4`,
    );
  });
});

describe('locations and credentials', () => {
  it('normalizes folders and keeps URLs; rejects what openDestination rejects, with its message', () => {
    expect(normalizeLocation(' ./backups/ ', '/work')).toBe('/work/backups');
    expect(normalizeLocation('file:///srv/backups')).toBe('/srv/backups');
    expect(normalizeLocation('s3://s3.us-west-2.amazonaws.com/bucket/dgraph')).toBe(
      's3://s3.us-west-2.amazonaws.com/bucket/dgraph',
    );
    expect(locationKind('MINIO://h:9000/b')).toBe('minio');
    for (const bad of [
      '',
      'ftp://host/x',
      'minio://127.0.0.1/bucket',
      's3://AKIA:s3cr3tvalue@s3.amazonaws.com/bucket',
    ]) {
      let err: unknown;
      try {
        normalizeLocation(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(InvalidArgumentError);
      let core: unknown;
      try {
        openDestination(bad);
      } catch (e) {
        core = e;
      }
      expect(errorText(err)).toBe((core as Error).message);
      expect(errorText(err)).not.toContain('s3cr3tvalue');
    }
  });

  it('the setting list and the secret storage key', () => {
    expect(addLocation(['/a'], '/b')).toEqual(['/a', '/b']);
    expect(addLocation(['/a', '/b'], '/a')).toEqual(['/a', '/b']);
    expect(removeLocation(['/a', '/b'], '/a')).toEqual(['/b']);
    expect(secretKey('s3://h/b')).toBe('strata.credentials:s3://h/b');
    expect(parseStoredCredentials('{"accessKey":"a","secretKey":"s"}')).toEqual({
      accessKey: 'a',
      secretKey: 's',
    });
    expect(parseStoredCredentials('{"accessKey":"a","secretKey":"s","sessionToken":"t"}')).toEqual({
      accessKey: 'a',
      secretKey: 's',
      sessionToken: 't',
    });
    expect(parseStoredCredentials('{"accessKey":"a"}')).toBeUndefined();
    expect(parseStoredCredentials('nope')).toBeUndefined();
    expect(parseStoredCredentials(undefined)).toBeUndefined();
  });
});

describe('online restore status', () => {
  it('one line per status, with its errors', () => {
    expect(formatRestoreStatus(7, { status: 'OK', errors: [] })).toBe('restore 7: OK');
    expect(formatRestoreStatus(8, { status: 'ERR', errors: ['missing backup file x'] })).toBe(
      'restore 8: ERR — missing backup file x',
    );
    expect(
      formatRestoreStatus(9, { status: 'UNKNOWN', errors: ['a', 'the Alpha knows no restore with id 9'] }),
    ).toBe('restore 9: UNKNOWN — a; the Alpha knows no restore with id 9');
  });

  it('the progress notification: slowest phase, bytes, keys and a percentage once totals are known', () => {
    const g = (group: number, phase: string, bytesDone: number, bytesTotal?: number) => ({
      group,
      phase,
      bytesDone,
      bytesTotal,
      filesDone: 1,
      filesTotal: 2,
      keysDone: 1000 * group,
    });
    const both = restoreProgressLine({
      status: 'IN_PROGRESS',
      errors: [],
      progress: {
        bytesDone: 3_000_000,
        bytesTotal: 12_000_000,
        keysDone: 3000,
        groups: [g(1, 'staged', 2e6, 2e6), g(2, 'load', 1e6, 10e6)],
      },
    });
    expect(both).toEqual({
      message: 'load: 3.0 MB of 12.0 MB, 3,000 keys (groups 1 staged, 2 load)',
      percent: 25,
    });
    const unknownTotal = restoreProgressLine({
      status: 'IN_PROGRESS',
      errors: [],
      progress: { bytesDone: 500_000, keysDone: 0, groups: [g(1, 'checksums', 5e5)] },
    });
    expect(unknownTotal).toEqual({
      message: 'checksums: 0.5 MB, 0 keys (groups 1 checksums)',
      percent: undefined,
    });
    // A Dgraph Alpha reports no progress: the status alone.
    expect(restoreProgressLine({ status: 'IN_PROGRESS', errors: [] })).toEqual({
      message: 'IN_PROGRESS',
      percent: undefined,
    });
  });

  it('an unreachable Alpha names the setting to check', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await new AdminClient(`http://127.0.0.1:${port}/admin`)
      .restoreStatus(1)
      .catch((e: unknown) => e);
    expect(errorText(err)).toBe(
      `cannot reach the Alpha at http://127.0.0.1:${port}/admin (ECONNREFUSED): check strata.alphaAdminUrl and that the Alpha runs`,
    );
  });

  it('the stored auth token goes to the Alpha as X-Dgraph-AuthToken, one token per Alpha origin', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers['x-dgraph-authtoken'] as string | undefined);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { restoreStatus: { status: 'OK', errors: [] } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
    try {
      expect(await alphaAdminClient(url, 'sekrit-token').restoreStatus(1)).toEqual({
        status: 'OK',
        errors: [],
      });
      await alphaAdminClient(url, undefined).restoreStatus(1);
      expect(seen).toEqual(['sekrit-token', undefined]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(adminTokenKey('http://127.0.0.1:8080/admin')).toBe(adminTokenKey('http://127.0.0.1:8080/other'));
    expect(adminTokenKey('http://127.0.0.1:8080/admin')).not.toBe(
      adminTokenKey('http://127.0.0.1:9080/admin'),
    );
  });
});
