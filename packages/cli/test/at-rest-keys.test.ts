/**
 * `--encryption key-file=F` with a missing, truncated or empty key file: `start`, `zero` and
 * `restore` refuse it with an error naming the file and what is wrong, before they write anything
 * (the data folder is not even created; no cluster token is left there).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH, strata } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-at-rest-keys-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const truncated = path.join(tmp, 'truncated.key');
writeFileSync(truncated, randomBytes(31));
const empty = path.join(tmp, 'empty.key');
writeFileSync(empty, '');
const missing = path.join(tmp, 'missing.key');

const BAD: [string, string, RegExp][] = [
  ['truncated', truncated, /truncated\.key does not hold an AES key: it must be exactly 16, 24 or 32 bytes/],
  ['empty', empty, /empty\.key does not hold an AES key/],
  ['missing', missing, /encryption key file not found: .*missing\.key/],
];

describe('a bad key file for encryption at rest', () => {
  it.each(BAD)('%s: refused by start, zero and restore, nothing written', async (name, file, message) => {
    const at = `key-file=${file}`;
    const runs: [string, string[]][] = [
      [
        path.join(tmp, `${name}-start`),
        ['start', '--data', path.join(tmp, `${name}-start`), '--encryption', at],
      ],
      [
        path.join(tmp, `${name}-zero`),
        ['zero', '--data', path.join(tmp, `${name}-zero`), '--encryption', at],
      ],
      [
        path.join(tmp, `${name}-restore`),
        [
          'restore',
          '-l',
          path.join(DGRAPH, 'v20.11-full-3groups'),
          '-p',
          path.join(tmp, `${name}-restore`),
          '--encryption',
          at,
          '--force_zero=false',
        ],
      ],
    ];
    for (const [dir, args] of runs) {
      const r = await strata(...args);
      expect(r.code, `${args[0]}: ${r.stdout}`).not.toBe(0);
      expect(r.stderr, args[0]!).toMatch(message);
      expect(existsSync(dir), `${args[0]} wrote ${dir}`).toBe(false);
    }
  });
});
