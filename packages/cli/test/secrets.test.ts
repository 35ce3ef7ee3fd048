/**
 * Secrets never from argv (issue 13.7): the old `--token`, `--secret_key` and `--session_token`
 * forms are refused with the way to give the secret instead, without echoing it; secret files
 * others can read draw a warning.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { strata } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-secrets-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SECRET = 'do-not-echo-me-4242';

describe('secrets on the command line are refused', () => {
  it.each([
    [
      'zero --token',
      ['zero', '--data', path.join(tmp, 'zw'), '--token', SECRET],
      /--token_file FILE, or set STRATA_CLUSTER_TOKEN/,
    ],
    [
      'zero --token=VALUE',
      ['zero', '--data', path.join(tmp, 'zw'), `--token=${SECRET}`],
      /--token_file FILE/,
    ],
    [
      'alpha --token',
      ['alpha', '--group', '1', '--token', SECRET],
      /--token_file FILE, or set STRATA_CLUSTER_TOKEN/,
    ],
    ['start --token', ['start', '--data', path.join(tmp, 'start'), '--token', SECRET], /DATA\/cluster_token/],
    [
      'restore --token',
      ['restore', '-l', tmp, '-p', path.join(tmp, 'r'), '--token', SECRET],
      /--token_file FILE/,
    ],
    [
      'backup --secret_key',
      ['backup', '--alpha', '127.0.0.1:1', '-d', tmp, '--secret_key', SECRET],
      /--secret_key_file FILE, or set AWS_SECRET_ACCESS_KEY .* MINIO_SECRET_KEY/,
    ],
    [
      'backup --secret-key',
      ['backup', '--alpha', '127.0.0.1:1', '-d', tmp, '--secret-key', SECRET],
      /--secret_key_file FILE/,
    ],
    [
      'ls --session_token',
      ['ls', tmp, '--session_token', SECRET],
      /--session_token_file FILE, or set AWS_SESSION_TOKEN/,
    ],
    ['doctor --secret_key', ['doctor', tmp, '--secret_key', SECRET], /--secret_key_file FILE/],
  ])('strata %s', async (_name, args, hint) => {
    const r = await strata(...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would put a secret on the command line \(visible in ps\)/);
    expect(r.stderr).toMatch(hint);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('nothing was started or written by a refused command', async () => {
    await strata('zero', '--data', path.join(tmp, 'zw2'), '--token', SECRET);
    expect(existsSync(path.join(tmp, 'zw2'))).toBe(false);
  });
});

describe('secret files', () => {
  it('a cluster token file others can read draws a warning; its contents are never shown', async () => {
    const file = path.join(tmp, 'loose-token');
    writeFileSync(file, `${SECRET}\n`);
    chmodSync(file, 0o644);
    const r = await strata(
      'restore',
      '-l',
      tmp,
      '-p',
      path.join(tmp, 'r2'),
      '-z',
      '127.0.0.1:1',
      '--token_file',
      file,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cluster token file ${file} can be read by group or others (mode 644): chmod 600 it`,
    );
    expect(r.stderr).toContain('cannot reach Zero at 127.0.0.1:1');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('a secret key file is read (and warned about when loose); a missing one is named', async () => {
    const file = path.join(tmp, 'loose-secret');
    writeFileSync(file, `${SECRET}\n`);
    chmodSync(file, 0o640);
    const loose = await strata('ls', tmp, '--access_key', 'AK', '--secret_key_file', file);
    expect(loose.stderr).toContain(`secret key file ${file} can be read by group or others (mode 640)`);
    expect(loose.stdout + loose.stderr).not.toContain(SECRET);
    const missing = await strata('ls', tmp, '--secret_key_file', path.join(tmp, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/secret key file .*nope cannot be read \(ENOENT\)/);
  });
});
