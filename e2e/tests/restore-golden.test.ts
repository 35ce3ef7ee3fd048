// `strata restore` then `strata export` as real processes, for every restore point of every
// fixture set: data.rdf and schema.txt must be byte-identical to `expected/<backupId>/<backupNum>/`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesRoot, goldenRestorePoints, strataBin } from './paths.js';
import { restoreArgs, secretFile } from './procs.js';

const run = promisify(execFile);

const points = goldenRestorePoints();
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-restore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('strata restore + strata export on every golden restore point', () => {
  it('finds the restore points', () => {
    expect(points.length).toBeGreaterThanOrEqual(10);
  });

  for (const p of points) {
    it(`${p.set} ${p.backupId}/${p.backupNum}`, async () => {
      const work = path.join(tmp, `${p.set}-${p.backupId}-${p.backupNum}`);
      const pdir = path.join(work, 'p');
      const out = path.join(work, 'out');
      const r = await run(process.execPath, [strataBin, ...restoreArgs(p.location, pdir, p)]);
      expect(r.stdout).toContain(`restored series ${p.backupId}`);
      expect(r.stdout).toMatch(
        /lease these before serving the restored data: UIDs up to 0x[0-9a-f]+ \(\d+\), timestamps up to \d+/,
      );
      await run(process.execPath, [strataBin, 'export', '-p', pdir, '--out', out]);
      expect(readFileSync(path.join(out, 'data.rdf'), 'utf8')).toBe(
        readFileSync(path.join(p.expected, 'data.rdf'), 'utf8'),
      );
      expect(readFileSync(path.join(out, 'schema.txt'), 'utf8')).toBe(
        readFileSync(path.join(p.expected, 'schema.txt'), 'utf8'),
      );
    });
  }

  it('refuses -z with an unreachable Zero, and no -z without --force_zero=false, before writing anything', async () => {
    const pdir = path.join(tmp, 'with-zero');
    const err = await run(process.execPath, [
      strataBin,
      'restore',
      '-l',
      path.join(fixturesRoot, 'v20.11-full-3groups'),
      '-p',
      pdir,
      '-z',
      '127.0.0.1:1',
      '--token_file',
      secretFile('some-token'),
    ]).catch((e: unknown) => e as { code: number; stderr: string });
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toContain('cannot reach Zero at 127.0.0.1:1');
    expect(existsSync(pdir)).toBe(false);
    const noZero = await run(process.execPath, [
      strataBin,
      'restore',
      '-l',
      path.join(fixturesRoot, 'v20.11-full-3groups'),
      '-p',
      pdir,
    ]).catch((e: unknown) => e as { code: number; stderr: string });
    expect((noZero as { code: number }).code).toBe(1);
    expect((noZero as { stderr: string }).stderr).toContain('--force_zero=false');
    expect(existsSync(pdir)).toBe(false);
  });
});
