/** `--until`: parsing, and the newest backup at or before a read timestamp or a time. */
import { describe, expect, it } from 'vitest';
import { chooseUntil, parseUntil, type BackupManifest } from '../src/index.js';

function m(backupId: string, backupNum: number, readTs: number, path: string): BackupManifest {
  return {
    path,
    type: backupNum === 1 ? 'full' : 'incremental',
    readTs: BigInt(readTs),
    since: 0n,
    backupId,
    backupNum,
    encrypted: false,
    compression: 'gzip',
    version: 0,
    groups: new Map([[1, []]]),
    dropOperations: [],
    source: 'per-folder',
    manifestFile: `${path}/manifest.json`,
  };
}

// Two series: a (readTs 10, 20, 30 on Dec 1) and b (readTs 40, 50 on Dec 2); one folder without a time.
const SET = [
  m('a', 1, 10, 'dgraph.20261201.080000.000'),
  m('a', 2, 20, 'dgraph.20261201.120000.000'),
  m('a', 3, 30, 'dgraph.20261201.180000.000'),
  m('b', 1, 40, 'dgraph.20261202.080000.000'),
  m('b', 2, 50, 'dgraph.20261202.120000.000'),
  m('c', 1, 60, 'custom-folder'),
];

describe('parseUntil', () => {
  it('reads digits as a read timestamp', () => {
    expect(parseUntil('1234')).toEqual({ readTs: 1234n });
    expect(parseUntil(' 18446744073709551615 ')).toEqual({ readTs: 18446744073709551615n });
  });
  it('reads ISO 8601 times with a zone, and dates as 00:00 UTC', () => {
    expect(parseUntil('2026-12-01T10:00:00Z')).toEqual({ time: new Date('2026-12-01T10:00:00Z') });
    expect(parseUntil('2026-12-01T11:00+01:00')).toEqual({ time: new Date('2026-12-01T10:00:00Z') });
    expect(parseUntil('2026-12-01 10:00:00.5Z')).toEqual({ time: new Date('2026-12-01T10:00:00.500Z') });
    expect(parseUntil('2026-12-01')).toEqual({ time: new Date('2026-12-01T00:00:00Z') });
  });
  it('refuses a time without a zone, zero, overflow, and anything else, naming the input', () => {
    expect(() => parseUntil('2026-12-01T10:00')).toThrow(/until "2026-12-01T10:00": .*with its zone/);
    expect(() => parseUntil('0')).toThrow(/between 1 and 2\^64-1/);
    expect(() => parseUntil('18446744073709551616')).toThrow(/between 1 and 2\^64-1/);
    expect(() => parseUntil('yesterday')).toThrow(/until "yesterday"/);
    expect(() => parseUntil('2026-13-45')).toThrow(/not a valid date/);
  });
});

describe('chooseUntil', () => {
  it('picks the newest backup at or before a read timestamp, across series', () => {
    expect(chooseUntil(SET, { readTs: 45n })).toMatchObject({ backupId: 'b', backupNum: 1, readTs: 40n });
    expect(chooseUntil(SET, { readTs: 30n })).toMatchObject({ backupId: 'a', backupNum: 3 });
    expect(chooseUntil(SET, { readTs: 29n })).toMatchObject({ backupId: 'a', backupNum: 2 });
    expect(chooseUntil(SET, { readTs: 1000n })).toMatchObject({ backupId: 'c', backupNum: 1 });
  });
  it('stays inside the series it is given', () => {
    expect(chooseUntil(SET, { readTs: 45n }, 'a')).toMatchObject({ backupId: 'a', backupNum: 3 });
    expect(() => chooseUntil(SET, { readTs: 45n }, 'zzz')).toThrow(/no backup with backup_id zzz/);
  });
  it('picks by the folder time, skipping folders without one, and says what it chose', () => {
    const c = chooseUntil(SET, { time: new Date('2026-12-02T11:59:59Z') });
    expect(c).toMatchObject({ backupId: 'b', backupNum: 1, time: '2026-12-02T08:00:00.000Z' });
    expect(c.reason).toBe(
      'until 2026-12-02T11:59:59.000Z: chose backup b #1 (full, read timestamp 40, taken ' +
        '2026-12-02T08:00:00.000Z), the newest at or before it',
    );
    expect(chooseUntil(SET, { time: new Date('2030-01-01T00:00:00Z') })).toMatchObject({
      backupId: 'b',
      backupNum: 2,
    });
  });
  it('says when nothing is that old, naming the oldest backup', () => {
    expect(() => chooseUntil(SET, { readTs: 9n })).toThrow(
      'no backup at or before read timestamp 9: the oldest is a #1 (read timestamp 10)',
    );
    expect(() => chooseUntil(SET, { time: new Date('2026-11-30T00:00:00Z') })).toThrow(
      /no backup at or before 2026-11-30T00:00:00.000Z: the oldest is a #1 \(2026-12-01T08:00:00.000Z\)/,
    );
    expect(() => chooseUntil([SET[5]!], { time: new Date('2030-01-01T00:00:00Z') })).toThrow(
      /no backup there has a time in its folder name/,
    );
    expect(() => chooseUntil([], { readTs: 1n })).toThrow(/no backups found at the location/);
  });
});
