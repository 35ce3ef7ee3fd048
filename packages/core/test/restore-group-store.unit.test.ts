// writeGroupStore (src/restore/group-store.ts) with a fake native writer: which chains are merged,
// what the merge is given, the fallback to the file-by-file load when a file is out of order,
// and downloads deleted either way. The native merge itself: packages/native
// src/store/restore/chain_tests.rs; on real stores: test/backup.test.ts.
import { describe, expect, it } from 'vitest';
import type { BackupManifest } from '../src/manifest/model.js';
import type { ChainBackupInput, LoadFileResult, RestoreWriter } from '../src/native.js';
import {
  MAX_MERGED_FILES,
  mergesChain,
  writeGroupStore,
  type GroupStoreInput,
} from '../src/restore/group-store.js';

const manifest = (backupNum: number, storeKeyOrder: boolean | undefined): BackupManifest => ({
  path: `dgraph.${backupNum}`,
  type: backupNum === 1 ? 'full' : 'incremental',
  readTs: BigInt(backupNum * 10),
  since: BigInt((backupNum - 1) * 10),
  backupId: 'b',
  backupNum,
  encrypted: false,
  compression: 'gzip',
  version: 2103,
  groups: new Map([[1, []]]),
  dropOperations: backupNum === 2 ? [{ op: 'ATTR', namespace: 0n, attr: 'gone' }] : [],
  source: 'master',
  manifestFile: 'manifest.json',
  ...(storeKeyOrder === undefined ? {} : { storeKeyOrder }),
});

const result = (kvs: number): LoadFileResult => ({ kvs, kept: kvs, maxUid: 7n, maxNsId: 0n });

/** A native module whose writer records its calls; `chain` answers loadChain. */
function fakeNative(chain: (c: ChainBackupInput[]) => Promise<LoadFileResult[]>) {
  const calls: string[] = [];
  const writer: RestoreWriter = {
    applyDrops: async (ops) => void calls.push(`drops ${ops.map((o) => o.value ?? o.op).join(',')}`),
    resetSchema: async () => void calls.push('reset'),
    loadBackupFile: async (file) => (calls.push(`load ${file}`), result(2)),
    loadChain: async (c) => {
      calls.push(
        `chain ${JSON.stringify(c.map((b) => [b.drops.map((d) => d.value), b.files.map((f) => f.path)]))}`,
      );
      return chain(c);
    },
    finish: async (ts) => (calls.push(`finish ${ts}`), { maxUid: 7n, maxNsId: 0n, keys: 9 }),
  };
  return {
    calls,
    native: {
      RestoreWriter: class {
        constructor() {
          return writer;
        }
      } as unknown as new () => RestoreWriter,
    },
  };
}

function input(order: boolean | undefined, done: string[], warnings: string[]): GroupStoreInput {
  const backups = [1, 2, 3].map((n) => ({ b: manifest(n, order), sources: n === 3 ? [1, 2] : [1] }));
  return {
    dir: '/nowhere/p1.restore-staging',
    group: 1,
    backups,
    options: () => ({ predicates: [] }),
    fetch: async (b, source) => ({
      file: `/dl/${b.backupNum}-${source}`,
      shown: `s3://x/${b.backupNum}-${source}`,
      done: async () => void done.push(`${b.backupNum}-${source}`),
    }),
    onFile: () => undefined,
    readTs: 30n,
    warn: (w) => warnings.push(w),
  };
}

describe('writeGroupStore', () => {
  it('merges a chain of Strata key-ordered backups in one call, drops and files in chain order', async () => {
    const done: string[] = [];
    const f = fakeNative(async (c) => c.flatMap((b) => b.files.map(() => result(3))));
    const r = await writeGroupStore(f.native, input(true, done, []));
    expect(r).toMatchObject({ merged: true, kvs: 12, kept: 12, keys: 9 });
    expect(f.calls).toEqual([
      'chain [[[],["/dl/1-1"]],[["gone"],["/dl/2-1"]],[[],["/dl/3-1","/dl/3-2"]]]',
      'finish 30',
    ]);
    expect(done).toEqual(['1-1', '2-1', '3-1', '3-2']);
  });

  it('loads file by file when a file is out of order after all, with a warning naming it', async () => {
    const done: string[] = [];
    const warnings: string[] = [];
    const f = fakeNative(async () => {
      throw new Error('STORE_KEYS_OUT_OF_ORDER: /dl/2-1: a key comes before the one listed ahead of it');
    });
    const r = await writeGroupStore(f.native, input(true, done, warnings));
    expect(r).toMatchObject({ merged: false, kvs: 8 });
    expect(f.calls.slice(1)).toEqual([
      'drops ',
      'reset',
      'load /dl/1-1',
      'drops gone',
      'reset',
      'load /dl/2-1',
      'drops ',
      'reset',
      'load /dl/3-1',
      'load /dl/3-2',
      'finish 30',
    ]);
    expect(warnings).toHaveLength(1);
    // The file as the user knows it, not its download.
    expect(warnings[0]).toMatch(/^group 1: s3:\/\/x\/2-1: a key comes before .*loaded file by file instead$/);
    expect(done).toHaveLength(8);
  });

  it('any other merge error fails the group, downloads deleted', async () => {
    const done: string[] = [];
    const f = fakeNative(async () => {
      throw new Error('STORE_INCOMPATIBLE: nope');
    });
    await expect(writeGroupStore(f.native, input(true, done, []))).rejects.toThrow(/nope/);
    expect(done).toHaveLength(4);
    expect(f.calls.some((c) => c.startsWith('load'))).toBe(false);
  });

  it('merges only when every backup with files says so and there is more than one file', () => {
    const chain = (orders: (boolean | undefined)[], sources: number[][]) =>
      orders.map((o, i) => ({ b: manifest(i + 1, o), sources: sources[i]! }));
    expect(mergesChain(chain([true, true], [[1], [1]]))).toBe(true);
    expect(mergesChain(chain([true, undefined], [[1], [1]]))).toBe(false);
    expect(mergesChain(chain([false, true], [[1], [1]]))).toBe(false);
    // A backup without files for the group takes no part.
    expect(mergesChain(chain([true, undefined, true], [[1], [], [1]]))).toBe(true);
    expect(mergesChain(chain([true], [[1]]))).toBe(false);
    expect(mergesChain(chain([true], [[1, 2]]))).toBe(true);
    // More files than a merge holds open at once: file by file.
    const many = (n: number) =>
      chain(
        Array<boolean>(n).fill(true),
        Array.from({ length: n }, () => [1]),
      );
    expect(mergesChain(many(MAX_MERGED_FILES))).toBe(true);
    expect(mergesChain(many(MAX_MERGED_FILES + 1))).toBe(false);
  });
});
