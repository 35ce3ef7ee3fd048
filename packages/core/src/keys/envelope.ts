/**
 * The envelope of a posting store's data key, `keys.json` beside its `sealed.db`: the random
 * AES-256 key SQLCipher encrypts the store's pages with (native `store/engine/sqlcipher.rs`), wrapped by the
 * cluster's master key (`--encryption`). The master key itself is never written; rotating it
 * rewrites this file only. Design: docs/design/encryption-at-rest.md.
 *
 * Wrapping: a key-encryption key HKDF-SHA256(master key, random salt) seals the data key with
 * AES-256-GCM, so a master key of 16, 24 or 32 bytes wraps the same way and a wrong one fails the
 * tag. The master key's fingerprint is stored (the backups' HMAC fingerprint, which reveals
 * nothing of the key) so that a wrong key is named as such before anything is read.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { keyFingerprint } from '../backup/fingerprint.js';
import { EncryptedNoKeyError, StrataError, WrongKeyError, fromFsError } from '../errors.js';

/** The envelope's file name; the only file a new store's folder may hold before its store. */
export const ENVELOPE_FILE = 'keys.json';
/** Length of a store's data key (AES-256). */
export const DATA_KEY_BYTES = 32;
/** An envelope is a few hundred bytes; anything bigger is not one. */
const MAX_ENVELOPE_BYTES = 4096;
const WRAP_INFO = 'strata store data key wrap v1';
const AAD = Buffer.from('strata store data key v1');

interface EnvelopeJson {
  version: 1;
  algorithm: 'AES-256-GCM';
  kdf: 'HKDF-SHA256';
  master_key_fingerprint: string;
  salt: string;
  iv: string;
  tag: string;
  wrapped_key: string;
}

/** The envelope is missing, unreadable or not one: the store's key cannot be had. */
function badEnvelope(file: string, why: string): StrataError {
  return new StrataError('STORE', `${file} is not a usable key envelope: ${why}`, { file });
}

function kek(master: Uint8Array, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', master, salt, WRAP_INFO, 32));
}

function wrap(dataKey: Buffer, master: Uint8Array): EnvelopeJson {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const k = kek(master, salt);
  const c = createCipheriv('aes-256-gcm', k, iv).setAAD(AAD);
  const wrapped = Buffer.concat([c.update(dataKey), c.final()]);
  k.fill(0);
  return {
    version: 1,
    algorithm: 'AES-256-GCM',
    kdf: 'HKDF-SHA256',
    master_key_fingerprint: keyFingerprint(master),
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: c.getAuthTag().toString('base64'),
    wrapped_key: wrapped.toString('base64'),
  };
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function field(j: Record<string, unknown>, name: keyof EnvelopeJson, file: string, bytes?: number): string {
  const v = j[name];
  if (
    typeof v !== 'string' ||
    (bytes !== undefined && (!B64.test(v) || Buffer.from(v, 'base64').length !== bytes))
  )
    throw badEnvelope(file, `its "${name}" is missing or malformed`);
  return v;
}

/** Parses and checks an envelope's fields (hostile input: a folder others may write to). */
function parse(text: string, file: string): EnvelopeJson {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw badEnvelope(file, 'it is not JSON');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j))
    throw badEnvelope(file, 'it is not a JSON object');
  const o = j as Record<string, unknown>;
  if (o.version !== 1)
    throw badEnvelope(file, `version ${JSON.stringify(o.version)} is not one this build reads (1)`);
  if (o.algorithm !== 'AES-256-GCM' || o.kdf !== 'HKDF-SHA256')
    throw badEnvelope(file, 'its algorithm is not AES-256-GCM with HKDF-SHA256');
  return {
    version: 1,
    algorithm: 'AES-256-GCM',
    kdf: 'HKDF-SHA256',
    master_key_fingerprint: field(o, 'master_key_fingerprint', file),
    salt: field(o, 'salt', file, 16),
    iv: field(o, 'iv', file, 12),
    tag: field(o, 'tag', file, 16),
    wrapped_key: field(o, 'wrapped_key', file, DATA_KEY_BYTES),
  };
}

function unwrap(e: EnvelopeJson, master: Uint8Array, dir: string): Buffer {
  const given = keyFingerprint(master);
  const wrongKey = () =>
    new WrongKeyError(
      `the store at ${dir} is encrypted with the master key of fingerprint ${e.master_key_fingerprint}; ` +
        `the key given (--encryption) has fingerprint ${given}`,
      { file: path.join(dir, ENVELOPE_FILE) },
    );
  if (given !== e.master_key_fingerprint) throw wrongKey();
  const k = kek(master, Buffer.from(e.salt, 'base64'));
  try {
    const d = createDecipheriv('aes-256-gcm', k, Buffer.from(e.iv, 'base64')).setAAD(AAD);
    d.setAuthTag(Buffer.from(e.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(e.wrapped_key, 'base64')), d.final()]);
  } catch {
    // The fingerprint matched but the tag did not: the envelope was changed.
    throw badEnvelope(path.join(dir, ENVELOPE_FILE), 'its wrapped key fails its authentication tag');
  } finally {
    k.fill(0);
  }
}

/** Writes `text` to `file` atomically: a temporary file, fsynced, renamed, the folder fsynced. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const d = await open(path.dirname(file), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** True when `dir` holds a key envelope. */
export function hasEnvelope(dir: string): Promise<boolean> {
  return exists(path.join(dir, ENVELOPE_FILE));
}

/**
 * Makes a new data key for the store about to be created in `dir` and writes its envelope, wrapped
 * by `master`; refuses when `dir` holds an envelope already. Returns the data key (the caller
 * should `fill(0)` it once the store is open).
 */
export async function createStoreKey(dir: string, master: Uint8Array): Promise<Buffer> {
  const file = path.join(dir, ENVELOPE_FILE);
  if (await hasEnvelope(dir))
    throw badEnvelope(file, 'the folder holds one already (a new store needs a new key)');
  await mkdir(dir, { recursive: true });
  const dataKey = randomBytes(DATA_KEY_BYTES);
  await writeAtomic(file, `${JSON.stringify(wrap(dataKey, master), null, 2)}\n`);
  return dataKey;
}

/** The fingerprint of the master key the envelope in `dir` is wrapped by. */
export async function envelopeFingerprint(dir: string): Promise<string> {
  return (await readEnvelope(dir)).master_key_fingerprint;
}

/** Reads the envelope in `dir` and unwraps the store's data key with `master`. */
export async function openStoreKey(dir: string, master: Uint8Array): Promise<Buffer> {
  return unwrap(await readEnvelope(dir), master, dir);
}

async function readEnvelope(dir: string): Promise<EnvelopeJson> {
  const file = path.join(dir, ENVELOPE_FILE);
  let text: string;
  try {
    const st = await lstat(file);
    if (!st.isFile()) throw badEnvelope(file, 'it is not a regular file');
    if (st.size > MAX_ENVELOPE_BYTES)
      throw badEnvelope(file, `it is larger than ${MAX_ENVELOPE_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof StrataError) throw err;
    throw fromFsError(err, file, 'key envelope');
  }
  return parse(text, file);
}

/**
 * Rewraps the data key of the store in `dir` from `oldMaster` to `newMaster` (key rotation): only
 * the envelope is rewritten, atomically, and the store keeps serving. Returns the new master key's
 * fingerprint.
 */
export async function rewrapStoreKey(
  dir: string,
  oldMaster: Uint8Array,
  newMaster: Uint8Array,
): Promise<string> {
  const dataKey = unwrap(await readEnvelope(dir), oldMaster, dir);
  try {
    await writeAtomic(
      path.join(dir, ENVELOPE_FILE),
      `${JSON.stringify(wrap(dataKey, newMaster), null, 2)}\n`,
    );
  } finally {
    dataKey.fill(0);
  }
  return keyFingerprint(newMaster);
}

/**
 * The data key to open the store in `dir` with, given the cluster's master key (`undefined`: the
 * cluster is not encrypted at rest):
 * - a master key and an envelope: the envelope's key (a wrong master key: WrongKeyError naming both
 *   fingerprints);
 * - a master key, no envelope and no store yet, with `create`: a new key, its envelope written;
 * - a master key and a plain store: refused, as is an encrypted store without a master key;
 * - neither: `undefined` (a plain store).
 * `plainFile` is the file a plaintext store of this kind has (a posting store's `data.mdb`).
 * Nothing is written when it refuses. The caller should `fill(0)` the key once the store is open.
 */
export async function storeDataKey(
  dir: string,
  master: Uint8Array | undefined,
  create: boolean,
  plainFile = 'data.mdb',
): Promise<Buffer | undefined> {
  const sealed = await hasEnvelope(dir);
  if (!master) {
    if (!sealed) return undefined;
    throw new EncryptedNoKeyError(
      `the store at ${dir} is encrypted at rest (it has ${ENVELOPE_FILE}): give its master key with --encryption key-file=FILE (or vault)`,
      { file: path.join(dir, ENVELOPE_FILE) },
    );
  }
  if (sealed) return openStoreKey(dir, master);
  if (await exists(path.join(dir, plainFile))) {
    throw new WrongKeyError(
      `the store at ${dir} is not encrypted at rest, and a master key was given: start without --encryption, ` +
        'or restore a backup into a new folder to encrypt it',
      { file: path.join(dir, plainFile) },
    );
  }
  if (!create)
    throw badEnvelope(path.join(dir, ENVELOPE_FILE), 'there is neither a store nor an envelope here');
  return createStoreKey(dir, master);
}
