/**
 * Key rotation of encryption at rest (`strata rotate-key`): every sealed store and Zero state
 * under the folders given has its data key rewrapped from the old master key to a new one. Only the envelopes (`keys.json`)
 * are rewritten, each atomically; the stores' pages keep their data keys, so a running Alpha keeps
 * serving. All envelopes are checked against the old key before the first is rewritten; a store
 * already under the new key (a rotation run again after it stopped half way) is left as it is.
 */
import { keyFingerprint } from '../backup/fingerprint.js';
import { InvalidArgumentError, StoreError } from '../errors.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { envelopeFingerprint, hasEnvelope, openStoreKey, rewrapStoreKey } from './envelope.js';

export interface RotatedStore {
  /** The store's folder. */
  dir: string;
  /** `rotated` now, or `already` under the new key. */
  state: 'rotated' | 'already';
}

export interface RotationResult {
  stores: RotatedStore[];
  oldFingerprint: string;
  newFingerprint: string;
}

/**
 * The folders with a key envelope that `dir` names: itself when it has one, else those of its
 * subfolders that have one (a restore's `p1`, `p2`...; `strata start`'s `p` and `zw`).
 */
async function envelopeFolders(dir: string): Promise<string[]> {
  if (await hasEnvelope(dir)) return [dir];
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    throw new StoreError('STORE_NOT_FOUND', `${dir} is not a folder`, { file: dir });
  }
  const found: string[] = [];
  for (const n of names.sort()) if (await hasEnvelope(path.join(dir, n))) found.push(path.join(dir, n));
  return found;
}

export async function rotateStoreKeys(
  folders: string | readonly string[],
  oldMaster: Uint8Array,
  newMaster: Uint8Array,
): Promise<RotationResult> {
  const oldFingerprint = keyFingerprint(oldMaster);
  const newFingerprint = keyFingerprint(newMaster);
  if (oldFingerprint === newFingerprint)
    throw new InvalidArgumentError('the new master key is the current one: nothing to rotate');
  const given = typeof folders === 'string' ? [folders] : [...folders];
  const sealed: string[] = [];
  for (const f of given) sealed.push(...(await envelopeFolders(f)));
  if (sealed.length === 0)
    throw new StoreError(
      'STORE_NOT_FOUND',
      `${given.join(', ')} holds nothing encrypted at rest (no keys.json there or in a subfolder)`,
      { file: given[0] },
    );
  // Check every envelope first: a wrong old key rewrites nothing.
  const todo: string[] = [];
  for (const dir of sealed) {
    if ((await envelopeFingerprint(dir)) === newFingerprint) continue;
    (await openStoreKey(dir, oldMaster)).fill(0);
    todo.push(dir);
  }
  for (const dir of todo) await rewrapStoreKey(dir, oldMaster, newMaster);
  return {
    stores: sealed.map((dir) => ({ dir, state: todo.includes(dir) ? 'rotated' : 'already' })),
    oldFingerprint,
    newFingerprint,
  };
}
