import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = path.resolve(repoRoot, '../shared/fixtures/dgraph');
export const strataBin = path.join(repoRoot, 'packages/cli/dist/main.js');

export interface FixtureFile {
  set: string;
  folder: string;
  file: string;
  group: string;
  manifest: { groups: Record<string, string[]>; backup_num: number; type: string };
}

/** Every `r<ts>-g<g>.backup` file of every fixture location, with the manifest beside it. */
export async function fixtureFiles(): Promise<FixtureFile[]> {
  if (!existsSync(fixturesRoot))
    throw new Error(`fixtures not found at ${fixturesRoot}: ../shared must sit beside the repo`);
  const out: FixtureFile[] = [];
  const { readFile } = await import('node:fs/promises');
  for (const set of readdirSync(fixturesRoot).sort()) {
    const setDir = path.join(fixturesRoot, set);
    if (!existsSync(path.join(setDir, 'expected'))) continue;
    for (const folder of readdirSync(setDir)
      .filter((f) => f.startsWith('dgraph.'))
      .sort()) {
      const dir = path.join(setDir, folder);
      const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
      for (const f of readdirSync(dir)
        .filter((f) => f.endsWith('.backup'))
        .sort()) {
        const group = /-g(\d+)\.backup$/.exec(f)![1]!;
        out.push({ set, folder, file: path.join(dir, f), group, manifest });
      }
    }
  }
  return out;
}

/** One golden restore point: `<set>/expected/<backupId>/<backupNum>/{data.rdf,schema.txt}`. */
export interface RestorePoint {
  /** The fixture set (a backup location) and its path. */
  set: string;
  location: string;
  backupId: string;
  backupNum: number;
  /** The folder holding the expected `data.rdf` and `schema.txt`. */
  expected: string;
}

/** Every golden restore point of every fixture set, by set, series and number. */
export function goldenRestorePoints(): RestorePoint[] {
  if (!existsSync(fixturesRoot)) throw new Error(`fixtures not found at ${fixturesRoot}`);
  const out: RestorePoint[] = [];
  for (const set of readdirSync(fixturesRoot).sort()) {
    const location = path.join(fixturesRoot, set);
    const exp = path.join(location, 'expected');
    if (!existsSync(exp)) continue;
    for (const backupId of readdirSync(exp).sort()) {
      const idDir = path.join(exp, backupId);
      if (!statSync(idDir).isDirectory()) continue;
      for (const num of readdirSync(idDir).sort((a, b) => Number(a) - Number(b))) {
        out.push({ set, location, backupId, backupNum: Number(num), expected: path.join(idDir, num) });
      }
    }
  }
  return out;
}

/** A location's group count: the highest group any of its manifests lists. */
export function fixtureGroupCount(location: string): number {
  let max = 0;
  for (const f of readdirSync(location).filter((d) => d.startsWith('dgraph.'))) {
    const m = JSON.parse(readFileSync(path.join(location, f, 'manifest.json'), 'utf8')) as {
      groups: Record<string, unknown>;
    };
    for (const g of Object.keys(m.groups)) max = Math.max(max, Number(g));
  }
  return max;
}
