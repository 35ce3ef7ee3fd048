/** `strata verify --deep` as a real process: text and --json on the fixtures and on a tampered copy. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH, jsonEvents, jsonSummary, strata } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-deep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface DeepGroup {
  group: number;
  files: number;
  bytes: number;
  keys: number;
  predicates: string[];
  minVersion?: number;
  maxVersion?: number;
  problems: number;
  notes: string[];
}

describe('strata verify --deep', () => {
  it('prints a summary per group for a fixture series (exit 0)', async () => {
    const r = await strata('verify', path.join(DGRAPH, 'v20.11-series-3groups'), '--deep');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deep check, per group:$/m);
    expect(r.stdout).toMatch(
      /^ {2}group 1: 3 files, 1,612 bytes, 54 keys, 9 predicates seen, data versions 21\.\.57, 0 problems$/m,
    );
    expect(r.stdout).toMatch(
      /^ {2}group 3: 3 files, 714 bytes, 12 keys, 0 predicates seen, no data keys, 0 problems$/m,
    );
    expect(r.stdout).toMatch(/all 3 backups verified/);
  });

  it('--json puts the deep report into the summary event', async () => {
    const r = await strata('verify', path.join(DGRAPH, 'v20.11-full-3groups'), '--deep', '--json');
    expect(r.code).toBe(0);
    expect(jsonEvents(r.stdout).map((e) => e.event)).toEqual(['start', 'end', 'summary']);
    const s = jsonSummary(r.stdout) as {
      ok: boolean;
      deep: { groups: DeepGroup[]; keys: number; problems: number };
    };
    expect(s.ok).toBe(true);
    expect(s.deep.keys).toBe(39);
    expect(s.deep.problems).toBe(0);
    const g1 = s.deep.groups[0]!;
    expect(g1).toMatchObject({
      group: 1,
      files: 1,
      bytes: 1026,
      keys: 33,
      minVersion: 14,
      maxVersion: 24,
      problems: 0,
    });
    expect(g1.predicates).toHaveLength(11);
    expect(g1.notes[0]).toMatch(/dgraph\.graphql\.p_sha256hash/);
  });

  it('without --deep the summary has no deep report', async () => {
    const r = await strata('verify', path.join(DGRAPH, 'v20.11-full-3groups'), '--json');
    expect(jsonSummary(r.stdout)).not.toHaveProperty('deep');
  });

  it('exits 1 naming the keys of a predicate the manifest no longer lists', async () => {
    const loc = path.join(tmp, 'unlisted');
    cpSync(path.join(DGRAPH, 'v20.11-full-3groups'), loc, { recursive: true });
    const mf = path.join(loc, 'dgraph.20201125.173944.587/manifest.json');
    const m = JSON.parse(readFileSync(mf, 'utf8')) as { groups: Record<string, string[]> };
    m.groups['1'] = m.groups['1']!.filter((p) => p !== 'dgraph.type');
    writeFileSync(mf, JSON.stringify(m));
    const plain = await strata('verify', loc);
    expect(plain.code).toBe(0);
    const r = await strata('verify', loc, '--deep');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED #1 /m);
    expect(r.stdout).toMatch(
      /- dgraph\.20201125\.173944\.587\/r68-g1\.backup: KV #\d+ \(DATA key of "dgraph\.type" \(uid 0x[0-9a-f]+\), version \d+\): predicate "dgraph\.type" is not in the manifest's list for group 1/,
    );
    expect(r.stdout).toMatch(/group 1: .*, [1-9]\d* problems?$/m);
    expect(r.stdout).toMatch(/verification FAILED/);
    const j = await strata('verify', loc, '--deep', '--json');
    expect(j.code).toBe(1);
    const s = jsonSummary(j.stdout) as { ok: boolean; deep: { problems: number } };
    expect(s.ok).toBe(false);
    expect(s.deep.problems).toBeGreaterThan(0);
  });

  it('--help explains --deep', async () => {
    const r = await strata('verify', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--deep');
    expect(r.stdout).toMatch(/With --deep it also parses every KV/);
  });
});
