// Key rotation of encryption at rest (keys/rotate.ts): every store's envelope under a posting
// folder is rewrapped, a wrong current key rewrites none, and a rotation run again finishes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../src/backup/fingerprint.js';
import { WrongKeyError } from '../src/errors.js';
import { createStoreKey, ENVELOPE_FILE, openStoreKey, rewrapStoreKey } from '../src/keys/envelope.js';
import { rotateStoreKeys } from '../src/keys/rotate.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const master = (b: number) => Buffer.alloc(32, b);

/** A posting folder with groups 1 to 3 sealed under `key` and a plain group 4. */
async function postings(name: string, key: Buffer): Promise<{ root: string; dataKeys: Buffer[] }> {
  const root = path.join(tmp.dir, name);
  const dataKeys: Buffer[] = [];
  for (const g of [1, 2, 3]) {
    const d = path.join(root, `p${g}`);
    dataKeys.push(await createStoreKey(d, key));
    writeFileSync(path.join(d, 'sealed.db'), 'pages');
  }
  mkdirSync(path.join(root, 'p4'));
  writeFileSync(path.join(root, 'p4', 'data.mdb'), 'plain pages');
  return { root, dataKeys };
}
const envelopes = (root: string) =>
  [1, 2, 3].map((g) => readFileSync(path.join(root, `p${g}`, ENVELOPE_FILE), 'utf8'));

describe('rotateStoreKeys', () => {
  it('rewraps every sealed store under the folder, keeping each data key', async () => {
    const { root, dataKeys } = await postings('all', master(1));
    const r = await rotateStoreKeys(root, master(1), master(2));
    expect(r.stores.map((s) => [path.basename(s.dir), s.state])).toEqual([
      ['p1', 'rotated'],
      ['p2', 'rotated'],
      ['p3', 'rotated'],
    ]);
    expect(r.newFingerprint).toBe(keyFingerprint(master(2)));
    for (const [i, g] of [1, 2, 3].entries()) {
      const d = path.join(root, `p${g}`);
      expect(await openStoreKey(d, master(2))).toEqual(dataKeys[i]);
      await expect(openStoreKey(d, master(1))).rejects.toThrow(WrongKeyError);
      expect(readFileSync(path.join(d, 'sealed.db'), 'utf8')).toBe('pages');
    }
  });

  it('rewrites nothing when the current key is wrong for any store', async () => {
    const { root } = await postings('wrong', master(1));
    // p3 under another key: the check fails there, after p1 and p2 passed it.
    await rewrapStoreKey(path.join(root, 'p3'), master(1), master(9));
    const before = envelopes(root);
    await expect(rotateStoreKeys(root, master(1), master(2))).rejects.toThrow(keyFingerprint(master(9)));
    expect(envelopes(root)).toEqual(before);
  });

  it('finishes a rotation that stopped half way, and refuses the same key or no sealed store', async () => {
    const { root } = await postings('half', master(1));
    await rewrapStoreKey(path.join(root, 'p1'), master(1), master(2));
    const r = await rotateStoreKeys(root, master(1), master(2));
    expect(r.stores.map((s) => s.state)).toEqual(['already', 'rotated', 'rotated']);
    await expect(rotateStoreKeys(root, master(2), master(2))).rejects.toThrow(/is the current one/);
    const plain = path.join(tmp.dir, 'plain');
    mkdirSync(path.join(plain, 'p1'), { recursive: true });
    writeFileSync(path.join(plain, 'p1', 'data.mdb'), 'x');
    await expect(rotateStoreKeys(plain, master(1), master(2))).rejects.toThrow(
      /holds nothing encrypted at rest/,
    );
  });

  it("rotates a node's folder whole: its store and Zero's state", async () => {
    const node = path.join(tmp.dir, 'node');
    const p = path.join(node, 'p');
    const zw = path.join(node, 'zw');
    await createStoreKey(p, master(1));
    await createStoreKey(zw, master(1));
    const r = await rotateStoreKeys([node], master(1), master(2));
    expect(r.stores.map((s) => s.dir)).toEqual([p, zw]);
    for (const d of [p, zw]) (await openStoreKey(d, master(2))).fill(0);
  });
});
