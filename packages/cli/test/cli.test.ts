/** Runs the built `strata` command (dist/main.js) as a real process on the Dgraph fixtures. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackupEncoder, inspectBackupFile } from '@strata/core';
import { jsonSafe } from '../src/format.js';
import { DGRAPH, PKG_DIR, strata } from './helpers.js';

const PKG = JSON.parse(readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8')) as { version: string };
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(path.join(PKG_DIR, '..', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;
const FULL_G1 = path.join(DGRAPH, 'v20.11-full-3groups/dgraph.20201125.173944.587/r68-g1.backup');
const SERIES_G2 = path.join(DGRAPH, 'v20.11-series-3groups/dgraph.20210517.094442.220/r38-g2.backup');

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function encryptedBackup(key: Buffer): Promise<string> {
  // One framed, empty KVList, gzip'd and encrypted by Strata's encoder.
  const framed = Buffer.alloc(8);
  const chunks: Buffer[] = [];
  const enc = createBackupEncoder({ key });
  enc.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => {
    Readable.from([framed], { objectMode: true }).pipe(enc).on('end', resolve).on('error', reject);
  });
  const file = path.join(tmp, `enc-${key.length}.backup`);
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

describe('strata --help / --version', () => {
  it('--help explains the tool and lists the commands', async () => {
    const r = await strata('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: strata');
    expect(r.stdout).toMatch(/Dgraph/);
    expect(r.stdout).toMatch(/inspect \[options\] <file>/);
  });

  it('inspect --help describes what it reads', async () => {
    const r = await strata('inspect', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--encryption_key_file');
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toMatch(/gzip/);
    expect(r.stdout).toMatch(/AES-CTR/);
    expect(r.stdout).toMatch(/16, 24 or 32 bytes/);
  });

  it('--version prints the versions of the CLI, core and the native addon', async () => {
    const r = await strata('--version');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `@strata/cli ${PKG.version}`,
      `@strata/core ${versionOf('core')}`,
      `@strata/native ${versionOf('native')}`,
    ]);
  });

  it('-V without a loadable native addon prints the other versions and exits 1', async () => {
    // napi's loader takes the binary from NAPI_RS_NATIVE_LIBRARY_PATH when set
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.join(PKG_DIR, 'dist/main.js'), '-V'],
        { env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: path.join(tmp, 'missing.node') } },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `@strata/cli ${PKG.version}`,
      `@strata/core ${versionOf('core')}`,
    ]);
    expect(r.stderr).toMatch(
      /^strata: error: Strata's native addon cannot be loaded: .*@strata\/native-<platform>/,
    );
  });

  it('an unknown command exits 1', async () => {
    const r = await strata('frobnicate');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('strata inspect', () => {
  it('prints an aligned table naming the fixture predicates, and totals', async () => {
    const r = await strata('inspect', FULL_G1);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('PREDICATE'))!;
    expect(header).toMatch(/^PREDICATE\s+KEY TYPE\s+KEYS\s+UIDS\s+POSTINGS$/);
    expect(r.stdout).toMatch(/^Author\.name\s+DATA\s+1\s/m);
    expect(r.stdout).toMatch(/^dgraph\.type\s+DATA\s/m);
    expect(r.stdout).toMatch(/\sTYPE\s/);
    expect(r.stdout).toMatch(/^TOTAL\s/m);
    expect(r.stdout).toMatch(
      /^frames: \d+ {2}kvs: \d+ {2}compressed: 1,026 bytes {2}decompressed: [\d,]+ bytes\nframing: gzip \(gzip members: Dgraph v20\.07 to v20\.11/m,
    );
    // right-aligned numeric columns end at the same place as their header
    const end = header.length;
    const rows = lines
      .slice(lines.indexOf(header) + 2)
      .filter((l) => /\d$/.test(l) && !l.startsWith('frames'));
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.length).toBe(end);
  });

  it('--json parses and matches inspectBackupFile', async () => {
    const r = await strata('inspect', SERIES_G2, '--json');
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(parsed).toEqual(jsonSafe(await inspectBackupFile(SERIES_G2)));
    expect(parsed.file).toBe(SERIES_G2);
    expect((parsed.entries as { predicate: string }[]).map((e) => e.predicate)).toContain('p1');
  });

  it('a missing file exits 1 with a clear message', async () => {
    const missing = path.join(tmp, 'missing.backup');
    const r = await strata('inspect', missing);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`strata: error: backup file not found: ${missing}\n`);
  });

  it('an encrypted file without a key gives the ENCRYPTED_NO_KEY message', async () => {
    const file = await encryptedBackup(randomBytes(32));
    const r = await strata('inspect', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^strata: error: the backup file is encrypted and no encryption key was given/);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('--encryption_key_file');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reads an encrypted file with --encryption_key_file (and its dashed alias)', async () => {
    const key = randomBytes(24);
    const file = await encryptedBackup(key);
    const keyFile = path.join(tmp, 'key24');
    writeFileSync(keyFile, key);
    for (const flag of ['--encryption_key_file', '--encryption-key-file']) {
      const r = await strata('inspect', file, flag, keyFile, '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ file, frames: 1, kvs: 0 });
    }
  });

  it('a wrong key and a 20-byte key file are typed errors', async () => {
    const file = await encryptedBackup(randomBytes(32));
    const wrong = path.join(tmp, 'wrong32');
    writeFileSync(wrong, randomBytes(32));
    const r1 = await strata('inspect', file, '--encryption_key_file', wrong);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/^strata: error: wrong or missing encryption key/);

    const short = path.join(tmp, 'key20');
    writeFileSync(short, randomBytes(20));
    const r2 = await strata('inspect', file, '--encryption_key_file', short);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toBe(
      `strata: error: encryption key file ${short} does not hold an AES key: it must be exactly 16, 24 or 32 bytes (the file is used raw, so a trailing newline counts)\n`,
    );
  });
});
