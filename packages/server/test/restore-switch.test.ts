// The crash-safe store switch of online restore (src/alpha/backup/store-switch.ts), the restore
// decision at Zero, and --restore_dirs confinement of the files a restore request names.
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPostingStore } from '@strata/core';
import {
  journalPath,
  readJournal,
  recoverFiles,
  setCrashPointForTests,
  stagingPath,
  switchTo,
  writeJournal,
} from '../src/alpha/backup/store-switch.js';
import { RestoreDirs } from '../src/alpha/backup/restore-dirs.js';
import { restoreKeyProvider } from '../src/alpha/backup/inputs.js';
import { tempRoot, zeroFactory } from './helpers.js';

const root = tempRoot('strata-restore-switch-');
let n = 0;

/** A posting store at `dir` whose schema holds `predicate`. */
async function storeWith(dir: string, predicate: string): Promise<void> {
  const s = openPostingStore(dir, { group: 1, create: true });
  try {
    await s.alter(1n, { predicates: [{ predicate, valueType: 'string' }] });
  } finally {
    s.close();
  }
}

function predicatesOf(dir: string): string[] {
  const s = openPostingStore(dir, { group: 1 });
  try {
    return s.getSchema().predicates.map((p) => p.predicate);
  } finally {
    s.close();
  }
}

/** A live store `p` (predicate "old") and a staged one (predicate "new"). */
async function setup(): Promise<{ p: string; staging: string; id: string }> {
  const dir = path.join(root, `case${++n}`);
  mkdirSync(dir);
  const p = path.join(dir, 'p');
  const id = `id-${n}`;
  await storeWith(p, 'old');
  const staging = stagingPath(p, id);
  await storeWith(staging, 'new');
  return { p, staging, id };
}

function siblings(p: string): string[] {
  return readdirSync(path.dirname(p)).sort();
}

describe('store switch', () => {
  it('switches by renaming a link over p; a second switch replaces the link in one rename', async () => {
    const { p, staging, id } = await setup();
    await switchTo(p, staging, id);
    expect(lstatSync(p).isSymbolicLink()).toBe(true);
    expect(predicatesOf(p)).toContain('new');
    // Second restore: p is a link now.
    const staging2 = stagingPath(p, 'id-second');
    await storeWith(staging2, 'newer');
    await switchTo(p, staging2, 'id-second');
    expect(predicatesOf(p)).toContain('newer');
    await recoverFiles(p);
    expect(siblings(p)).toEqual(['p', path.basename(staging2)]);
  });

  it('a crash between moving the old folder aside and the link rename: start-up finishes the switch, the store is not empty', async () => {
    const { p, staging, id } = await setup();
    await writeJournal(p, { id, coordinator: 'x:1', state: 'switching', staging });
    setCrashPointForTests('after-move-aside');
    try {
      await expect(switchTo(p, staging, id)).rejects.toThrow(/test crash/);
    } finally {
      setCrashPointForTests(undefined);
    }
    expect(existsSync(p)).toBe(false); // the crash point: p is gone
    expect(await recoverFiles(p)).toBeUndefined();
    expect(predicatesOf(p)).toContain('new');
    expect(existsSync(journalPath(p))).toBe(false);
    // The old folder and the link's temp name are removed.
    expect(siblings(p)).toEqual(['p', path.basename(staging)]);
  });

  it('a crash while staging: start-up rolls back (old store kept, staging and journal removed)', async () => {
    const { p, staging, id } = await setup();
    await writeJournal(p, { id, coordinator: 'x:1', state: 'staging', staging });
    expect(await recoverFiles(p)).toBeUndefined();
    expect(predicatesOf(p)).toContain('old');
    expect(siblings(p)).toEqual(['p']);
  });

  it('a new Alpha whose folder and its parent do not exist yet starts (nothing to recover)', async () => {
    const p = path.join(root, 'not-yet', 'there', 'p');
    expect(await recoverFiles(p)).toBeUndefined();
    expect(existsSync(path.dirname(p))).toBe(false);
  });

  it('a staged restore waits for the decision (kept), everything else beside p is removed', async () => {
    const { p, staging, id } = await setup();
    await writeJournal(p, { id, coordinator: 'x:1', state: 'staged', staging });
    // Leftovers of older versions and of killed restores.
    for (const name of ['p.restore-123', 'p.old-456', 'p.store-other', 'p.restore-link-x']) {
      mkdirSync(path.join(path.dirname(p), name));
    }
    writeFileSync(`${journalPath(p)}.tmp`, '{');
    const j = await recoverFiles(p);
    expect(j).toMatchObject({ id, state: 'staged' });
    expect(siblings(p)).toEqual(['p', 'p.restore-journal', path.basename(staging)].sort());
    expect(predicatesOf(p)).toContain('old');
    expect(await readJournal(p)).toMatchObject({ id });
  });
});

describe('restore decision at Zero', () => {
  const zeros = zeroFactory('strata-restore-decision-', 'tok');

  it('the first decision wins; a commit moves the tablets in the same write and survives a restart', async () => {
    const z = await zeros.start({ groups: 2 });
    await z.store.tablet('name'); // on some group
    expect(await z.store.restoreDecision('r1')).toBe('pending');
    expect(await z.store.decideRestore('r1', 'abort')).toBe('abort');
    expect(await z.store.decideRestore('r1', 'commit', [{ predicate: 'name', group: 2 }])).toBe('abort');
    expect(z.store.toJSON().groups['2']!.tablets.name).toBeUndefined();
    expect(await z.store.decideRestore('r2', 'commit', [{ predicate: 'name', group: 2 }])).toBe('commit');
    expect(z.store.toJSON().groups['2']!.tablets.name).toMatchObject({ groupId: 2 });
    expect(await z.store.decideRestore('r2', 'abort')).toBe('commit');
    await zeros.stop(z);
    const again = await zeros.start({ dataDir: z.dataDir });
    expect(await again.store.restoreDecision('r1')).toBe('abort');
    expect(await again.store.restoreDecision('r2')).toBe('commit');
  });
});

describe('--restore_dirs', () => {
  const allowed = path.join(root, 'allowed');
  const outside = path.join(root, 'outside');
  mkdirSync(allowed);
  mkdirSync(outside);
  const keyIn = path.join(allowed, 'key');
  const keyOut = path.join(outside, 'token');
  writeFileSync(keyIn, Buffer.alloc(16, 1));
  writeFileSync(keyOut, 'cluster-token-secret-value\n');
  symlinkSync(keyOut, path.join(allowed, 'escape'));

  it('allows files inside the folders (real path)', async () => {
    const dirs = await RestoreDirs.open([allowed]);
    expect(await dirs.confine('encryptionKeyFile', keyIn)).toBe(keyIn);
    const p = await restoreKeyProvider({ location: '/x', encryptionKeyFile: keyIn }, undefined, dirs);
    expect((await p!.getKey()).length).toBe(16);
  });

  it('refuses files outside, through a symlink, with "..", or relative; never their contents or size', async () => {
    const dirs = await RestoreDirs.open([allowed]);
    const cases: [string, RegExp][] = [
      [keyOut, /is outside the allowed folders/],
      [path.join(allowed, 'escape'), /leads outside the allowed folders \(through a symbolic link\)/],
      [`${allowed}/../outside/token`, /holds a "\.\." segment/],
      ['allowed/key', /is not an absolute path/],
      [path.join(allowed, 'missing'), /cannot be resolved/],
    ];
    for (const [file, msg] of cases) {
      for (const field of ['encryptionKeyFile', 'vaultRoleIDFile', 'vaultSecretIDFile'] as const) {
        const input = {
          location: '/x',
          ...(field === 'encryptionKeyFile'
            ? { encryptionKeyFile: file }
            : { vaultRoleIDFile: file, vaultSecretIDFile: file, vaultAddr: 'http://evil.example:1' }),
        };
        const err = await restoreKeyProvider(input, undefined, dirs).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.message).toMatch(msg);
        expect(err?.message).toMatch(/--restore_dirs/);
        expect(err?.message).not.toMatch(/cluster-token-secret-value|27 bytes|\b27\b/);
      }
    }
  });

  it('without --restore_dirs a request may name no key or Vault file (hint given); the cluster key still works', async () => {
    const none = await RestoreDirs.open(undefined);
    await expect(
      restoreKeyProvider({ location: '/x', encryptionKeyFile: keyIn }, undefined, none),
    ).rejects.toThrow(/allows none \(start it with --restore_dirs DIR,\.\.\./);
    await expect(
      restoreKeyProvider(
        { location: '/x', vaultRoleIDFile: keyIn, vaultSecretIDFile: keyIn },
        undefined,
        none,
      ),
    ).rejects.toThrow(/vaultRoleIDFile names a file/);
    const cluster = { describe: 'cluster key', getKey: async () => Buffer.alloc(16) };
    expect(await restoreKeyProvider({ location: '/x' }, cluster, none)).toBe(cluster);
  });

  it('refuses a --restore_dirs folder that does not exist', async () => {
    await expect(RestoreDirs.open([path.join(root, 'nope')])).rejects.toThrow(/is not a folder that exists/);
  });
});
