import { existsSync, readdirSync } from 'node:fs';
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
