/**
 * `strata export -p` of stores encrypted at rest (`strata restore --encryption key-file=K` writes
 * them): with the master key it reads them and writes the dump encrypted with it (data.rdf.gz,
 * schema.txt.gz: gzip then AES-CTR, the IV first), or in plaintext with --plaintext; without the
 * key it is refused, naming the flag. Real processes on a real Dgraph series; the plaintext dump is
 * compared with Dgraph's golden one.
 */
import { createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH, strata } from './helpers.js';

const SET = path.join(DGRAPH, 'v20.11-series-3groups');
const GOLDEN = path.join(SET, 'expected', 'jolly_yalow0', '3');
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-export-at-rest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Gzip then AES-CTR with the IV first, undone with Node's own primitives. */
function decrypt(file: string, key: Buffer): string {
  const bytes = readFileSync(file);
  const d = createDecipheriv(`aes-${key.length * 8}-ctr`, key, bytes.subarray(0, 16));
  return gunzipSync(Buffer.concat([d.update(bytes.subarray(16)), d.final()])).toString('utf8');
}

describe('strata export of stores encrypted at rest', () => {
  it('reads them with the master key and encrypts the dump with it, or writes it plain when asked', async () => {
    const key = randomBytes(32);
    const keyFile = path.join(tmp, 'master.key');
    writeFileSync(keyFile, key, { mode: 0o600 });
    const at = `key-file=${keyFile}`;
    const pdir = path.join(tmp, 'sealed');
    const r = await strata('restore', '-l', SET, '-p', pdir, '--encryption', at, '--force_zero=false');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.join(pdir, 'p1')).sort()).toContain('sealed.db');

    const sealedOut = path.join(tmp, 'dump-sealed');
    const e = await strata('export', '-p', pdir, '--out', sealedOut, '--encryption', at);
    expect(e.code, e.stderr).toBe(0);
    expect(readdirSync(sealedOut).sort()).toEqual(['data.rdf.gz', 'schema.txt.gz']);
    const data = decrypt(path.join(sealedOut, 'data.rdf.gz'), key);
    expect(data).toBe(readFileSync(path.join(GOLDEN, 'data.rdf'), 'utf8'));
    expect(decrypt(path.join(sealedOut, 'schema.txt.gz'), key)).toBe(
      readFileSync(path.join(GOLDEN, 'schema.txt'), 'utf8'),
    );
    // Not a byte of the dump in the encrypted files (a line of it, as written).
    const line = Buffer.from(data.split('\n')[0]!);
    for (const f of readdirSync(sealedOut))
      expect(readFileSync(path.join(sealedOut, f)).includes(line)).toBe(false);

    const plainOut = path.join(tmp, 'dump-plain');
    const p = await strata('export', '-p', pdir, '--out', plainOut, '--encryption', at, '--plaintext');
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(path.join(plainOut, 'data.rdf'), 'utf8')).toBe(data);

    // Without the key: refused, naming the flag, nothing written.
    const noKey = path.join(tmp, 'dump-no-key');
    const n = await strata('export', '-p', pdir, '--out', noKey);
    expect(n.code).not.toBe(0);
    expect(n.stderr).toMatch(/encrypted at rest.*--encryption key-file=FILE/);
    expect(n.stderr).not.toContain('--encryption_key_file');
    expect(existsSync(path.join(noKey, 'data.rdf'))).toBe(false);
    const lone = await strata('export', '-p', pdir, '--out', noKey, '--plaintext');
    expect(lone.stderr).toContain('--plaintext goes with --encryption');
  }, 60_000);
});
