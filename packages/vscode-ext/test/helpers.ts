import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PKG_DIR = path.resolve(here, '..');
/** <repo>/../shared/fixtures/dgraph, read in place (never copied into the repo). */
export const FIXTURES = path.resolve(PKG_DIR, '../../../shared/fixtures/dgraph');
export const SERIES_2G = path.join(FIXTURES, 'v20.11-series-2groups');
export const SERIES_3G = path.join(FIXTURES, 'v20.11-series-3groups');
export const FULL_3G = path.join(FIXTURES, 'v20.11-full-3groups');
/** The tree labels of SERIES_2G's backups, oldest first. */
export const SERIES_2G_BACKUP_LABELS = [
  '#1 full',
  '#2 incremental',
  '#3 incremental',
  '#4 incremental',
  '#5 incremental',
  '#6 incremental',
];

/** A temp dir (outside the repo), removed by the returned function. */
export function tempDir(prefix = 'strata-vscode-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A writable copy of a fixture location in a temp dir (for the broken cases). */
export function copyFixture(src: string): { dir: string; cleanup: () => void } {
  const t = tempDir();
  const dir = path.join(t.dir, path.basename(src));
  cpSync(src, dir, { recursive: true, mode: 0 });
  return { dir, cleanup: t.cleanup };
}

/** Makes a copied tree writable (the fixtures are read-only, and copies keep their modes). */
export function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

/**
 * One writable temp location holding the backup folders of several fixture locations (their
 * `expected/` goldens left out): e.g. two series for expire.
 */
export function mergedFixtures(
  srcs: readonly string[],
  name = 'location',
): { dir: string; cleanup: () => void } {
  const t = tempDir();
  const dir = path.join(t.dir, name);
  mkdirSync(dir);
  for (const src of srcs) {
    for (const name of readdirSync(src)) {
      if (name === 'expected') continue;
      cpSync(path.join(src, name), path.join(dir, name), { recursive: true });
    }
  }
  makeWritable(dir);
  return { dir, cleanup: t.cleanup };
}
