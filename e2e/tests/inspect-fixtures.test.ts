// `strata inspect` as a real process on every real Dgraph backup file in ../shared/fixtures.
// Oracle: Node's own gunzip gives the decompressed size, and each folder's manifest names the
// predicates that group may hold.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixtureFiles, strataBin } from './paths.js';

const run = promisify(execFile);
const files = await fixtureFiles();

interface Row {
  predicate: string;
  keyType: string;
  keys: number;
}

describe('strata inspect on every fixture file', () => {
  it('finds the fixture files', () => {
    expect(files.length).toBeGreaterThanOrEqual(24);
  });

  for (const f of files) {
    it(`${f.set}/${f.folder}/g${f.group}`, async () => {
      const { stdout } = await run(process.execPath, [strataBin, 'inspect', f.file, '--json']);
      const stats = JSON.parse(stdout) as {
        kvs: number;
        bytesDecompressed: number;
        framing: string;
        entries: Row[];
      };
      expect(stats.bytesDecompressed).toBe(gunzipSync(readFileSync(f.file)).length);
      expect(stats.framing).toBe('gzip');
      expect(stats.kvs).toBe(stats.entries.reduce((n, r) => n + r.keys, 0));
      // types are in every group's file
      expect(stats.entries.some((r) => r.keyType === 'TYPE')).toBe(true);
      // data-bearing keys only for predicates the manifest lists for this group
      const allowed = new Set(f.manifest.groups[f.group] ?? []);
      for (const r of stats.entries.filter((r) =>
        ['DATA', 'INDEX', 'REVERSE', 'COUNT', 'COUNT_REV'].includes(r.keyType),
      )) {
        expect(allowed, `${r.predicate} in group ${f.group}`).toContain(r.predicate);
      }
    });
  }

  it('prints a readable table naming the predicates', async () => {
    const g1 = files.find((f) => f.set === 'v20.11-full-3groups' && f.group === '1')!;
    const { stdout } = await run(process.execPath, [strataBin, 'inspect', g1.file]);
    expect(stdout).toMatch(/Author\.name\s+DATA/);
    expect(stdout).toMatch(/TOTAL/);
  });
});
