/**
 * The resume journal of a backup in progress: `<folder>/strata-resume-journal.json`, written by the
 * coordinator right after planning and rewritten (atomically) each time a group's file is done,
 * deleted once the manifest lists the backup. A folder no manifest lists that holds a journal is an
 * interrupted backup the next one may continue (docs/design/resume.md).
 *
 * The journal is read back from the location, so it is hostile input: its size is bounded before
 * it is read, and every field is checked. It never holds a key, only the key's fingerprint.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError, ManifestError } from '../errors.js';
import type { Destination } from '../destinations/types.js';
import type { ManifestSet } from '../manifest/read.js';
import { MANIFEST_LAYOUTS, type ManifestLayout } from '../manifest/serialize.js';
import { BACKUP_FOLDER_RE } from './names.js';
import type { BackupPlan } from './plan.js';

/** The journal's file name inside the backup folder. */
export const RESUME_JOURNAL_FILE = 'strata-resume-journal.json';
/** The `kind` field of a journal, and its version. */
const KIND = 'strata-backup-resume-journal';
const VERSION = 1;
/** A journal larger than this is refused unread (a plan of many groups and predicates is far smaller). */
export const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;
const MAX_GROUPS = 10_000;

/** One finished group's file, as its Alpha reported it. */
export interface JournalGroupResult {
  /** sha256 (lowercase hex) of the file's bytes. */
  sha256: string;
  bytes: number;
  kvs: number;
  /** The predicates the file holds, namespace as a decimal string. */
  predicates: { namespace: string; name: string }[];
  /** Drops seen since `since` (namespace and commitTs as decimal strings). */
  dropOperations: {
    op: 'ALL' | 'DATA' | 'ATTR' | 'NS';
    value?: string;
    namespace?: string;
    commitTs?: string;
  }[];
}

export interface ResumeJournal {
  folder: string;
  type: 'full' | 'incremental';
  backupId: string;
  backupNum: number;
  readTs: bigint;
  since: bigint;
  format: ManifestLayout;
  encrypted: boolean;
  keyFingerprint?: string | undefined;
  /** Group id → the tablets (bare predicate names) Zero gave it when the backup was planned. */
  groups: Map<number, string[]>;
  /** Groups whose files are written, with what their Alpha reported. */
  done: Map<number, JournalGroupResult>;
}

/** `<folder>/strata-resume-journal.json`. */
export function journalPath(folder: string): string {
  return `${folder}/${RESUME_JOURNAL_FILE}`;
}

/** A new journal for a plan: no group done yet. */
export function newJournal(
  plan: Pick<
    BackupPlan,
    'folder' | 'type' | 'backupId' | 'backupNum' | 'readTs' | 'since' | 'format' | 'encrypted'
  >,
  groups: Map<number, string[]>,
  keyFingerprint: string | undefined,
): ResumeJournal {
  return {
    folder: plan.folder,
    type: plan.type,
    backupId: plan.backupId,
    backupNum: plan.backupNum,
    readTs: plan.readTs,
    since: plan.since,
    format: plan.format,
    encrypted: plan.encrypted,
    ...(plan.encrypted && keyFingerprint !== undefined ? { keyFingerprint } : {}),
    groups: new Map([...groups].sort((a, b) => a[0] - b[0])),
    done: new Map(),
  };
}

export function serializeJournal(j: ResumeJournal): Buffer {
  const sorted = <T>(m: Map<number, T>) => [...m].sort((a, b) => a[0] - b[0]);
  return Buffer.from(
    JSON.stringify(
      {
        kind: KIND,
        version: VERSION,
        folder: j.folder,
        type: j.type,
        backupId: j.backupId,
        backupNum: j.backupNum,
        readTs: String(j.readTs),
        since: String(j.since),
        format: j.format,
        encrypted: j.encrypted,
        ...(j.keyFingerprint === undefined ? {} : { keyFingerprint: j.keyFingerprint }),
        groups: Object.fromEntries(sorted(j.groups).map(([g, p]) => [String(g), p])),
        done: Object.fromEntries(sorted(j.done).map(([g, r]) => [String(g), r])),
      },
      null,
      1,
    ) + '\n',
  );
}

// ---- validation -------------------------------------------------------------------------------

const DECIMAL_RE = /^(0|[1-9]\d{0,19})$/;
const SHA256_RE = /^[0-9a-f]{64}$/;
const FINGERPRINT_RE = /^[0-9a-f]{16}$/;
const GROUP_RE = /^[1-9]\d{0,9}$/;
const MAX_NAME = 4096;

function bad(file: string, field: string, what: string): never {
  throw new ManifestError(`${file}: ${field} ${what}`, { field });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(file: string, o: Record<string, unknown>, field: string, max = MAX_NAME): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    bad(file, field, 'must be a non-empty string');
  return v;
}

function decimal(file: string, o: Record<string, unknown>, field: string): bigint {
  const v = o[field];
  if (typeof v !== 'string' || !DECIMAL_RE.test(v)) bad(file, field, 'must be a decimal string');
  const n = BigInt(v);
  if (n > 0xffff_ffff_ffff_ffffn) bad(file, field, 'is out of the uint64 range');
  return n;
}

function count(file: string, o: Record<string, unknown>, field: string, min = 0): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    bad(file, field, `must be an integer >= ${min}`);
  }
  return v;
}

function groupId(file: string, field: string, key: string): number {
  if (!GROUP_RE.test(key) || Number(key) > 0xffff_ffff)
    bad(file, field, `has a bad group id "${key.slice(0, 20)}"`);
  return Number(key);
}

function groupResult(file: string, field: string, v: unknown): JournalGroupResult {
  if (!isObject(v)) bad(file, field, 'must be an object');
  const sha256 = v.sha256;
  if (typeof sha256 !== 'string' || !SHA256_RE.test(sha256))
    bad(file, `${field}.sha256`, 'must be 64 hex digits');
  const bytes = count(file, v, 'bytes');
  const kvs = count(file, v, 'kvs');
  if (!Array.isArray(v.predicates)) bad(file, `${field}.predicates`, 'must be an array');
  const predicates = v.predicates.map((p, i) => {
    if (!isObject(p)) bad(file, `${field}.predicates[${i}]`, 'must be an object');
    const ns = p.namespace;
    if (typeof ns !== 'string' || !DECIMAL_RE.test(ns))
      bad(file, `${field}.predicates[${i}].namespace`, 'must be a decimal string');
    return { namespace: ns, name: str(file, p, 'name') };
  });
  if (!Array.isArray(v.dropOperations)) bad(file, `${field}.dropOperations`, 'must be an array');
  const dropOperations = v.dropOperations.map((d, i) => {
    const f = `${field}.dropOperations[${i}]`;
    if (!isObject(d)) bad(file, f, 'must be an object');
    const op = d.op;
    if (op !== 'ALL' && op !== 'DATA' && op !== 'ATTR' && op !== 'NS')
      bad(file, `${f}.op`, 'must be ALL, DATA, ATTR or NS');
    const out: JournalGroupResult['dropOperations'][number] = { op };
    if (d.value !== undefined) {
      if (typeof d.value !== 'string' || d.value.length > MAX_NAME)
        bad(file, `${f}.value`, 'must be a string');
      out.value = d.value;
    }
    for (const k of ['namespace', 'commitTs'] as const) {
      const x = d[k];
      if (x === undefined) continue;
      if (typeof x !== 'string' || !DECIMAL_RE.test(x)) bad(file, `${f}.${k}`, 'must be a decimal string');
      out[k] = x;
    }
    return out;
  });
  return { sha256, bytes, kvs, predicates, dropOperations };
}

/**
 * Parses and checks a journal read from `<folder>/strata-resume-journal.json`. Throws
 * ManifestError (INVALID_MANIFEST) naming the field for anything malformed, including a journal
 * that names another folder than the one it lies in.
 */
export function parseJournal(data: Uint8Array, folder: string): ResumeJournal {
  const file = journalPath(folder);
  if (data.byteLength > MAX_JOURNAL_BYTES) bad(file, 'file', `is over ${MAX_JOURNAL_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (err) {
    throw new ManifestError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) bad(file, 'file', 'must hold a JSON object');
  if (raw.kind !== KIND) bad(file, 'kind', `must be "${KIND}"`);
  if (raw.version !== VERSION) bad(file, 'version', `must be ${VERSION} (a newer Strata wrote it?)`);
  const f = str(file, raw, 'folder', 64);
  if (!BACKUP_FOLDER_RE.test(f))
    bad(file, 'folder', 'is not a backup folder name (dgraph.YYYYMMDD.HHMMSS.mmm)');
  if (f !== folder) bad(file, 'folder', `names ${f}, not the folder it lies in`);
  const type = raw.type;
  if (type !== 'full' && type !== 'incremental') bad(file, 'type', 'must be "full" or "incremental"');
  const backupId = str(file, raw, 'backupId', 256);
  const backupNum = count(file, raw, 'backupNum', 1);
  const readTs = decimal(file, raw, 'readTs');
  const since = decimal(file, raw, 'since');
  if (readTs === 0n) bad(file, 'readTs', 'must be > 0');
  if (since >= readTs) bad(file, 'since', 'must be below readTs');
  if ((type === 'full') !== (since === 0n) || (type === 'full') !== (backupNum === 1)) {
    bad(file, 'type', 'does not agree with since and backupNum (a full backup is #1 with since 0)');
  }
  const format = raw.format;
  if (typeof format !== 'string' || !(MANIFEST_LAYOUTS as readonly string[]).includes(format)) {
    bad(file, 'format', `must be one of ${MANIFEST_LAYOUTS.join(', ')}`);
  }
  if (typeof raw.encrypted !== 'boolean') bad(file, 'encrypted', 'must be a boolean');
  let keyFingerprint: string | undefined;
  if (raw.keyFingerprint !== undefined) {
    if (typeof raw.keyFingerprint !== 'string' || !FINGERPRINT_RE.test(raw.keyFingerprint)) {
      bad(file, 'keyFingerprint', 'must be 16 hex digits');
    }
    if (!raw.encrypted) bad(file, 'keyFingerprint', 'is set on a backup that is not encrypted');
    keyFingerprint = raw.keyFingerprint;
  }
  if (!isObject(raw.groups)) bad(file, 'groups', 'must be an object of group id → predicates');
  const groupKeys = Object.keys(raw.groups);
  if (groupKeys.length === 0 || groupKeys.length > MAX_GROUPS)
    bad(file, 'groups', `must name 1 to ${MAX_GROUPS} groups`);
  const groups = new Map<number, string[]>();
  for (const k of groupKeys) {
    const g = groupId(file, 'groups', k);
    const list = raw.groups[k];
    if (
      !Array.isArray(list) ||
      list.some((p) => typeof p !== 'string' || p.length === 0 || p.length > MAX_NAME)
    ) {
      bad(file, `groups.${k}`, 'must be an array of predicate names');
    }
    groups.set(g, [...(list as string[])]);
  }
  if (!isObject(raw.done)) bad(file, 'done', 'must be an object of group id → file');
  const done = new Map<number, JournalGroupResult>();
  for (const k of Object.keys(raw.done)) {
    const g = groupId(file, 'done', k);
    if (!groups.has(g)) bad(file, `done.${k}`, 'is a group the plan does not have');
    done.set(g, groupResult(file, `done.${k}`, raw.done[k]));
  }
  return {
    folder: f,
    type,
    backupId,
    backupNum,
    readTs,
    since,
    format: format as ManifestLayout,
    encrypted: raw.encrypted,
    ...(keyFingerprint === undefined ? {} : { keyFingerprint }),
    groups: new Map([...groups].sort((a, b) => a[0] - b[0])),
    done: new Map([...done].sort((a, b) => a[0] - b[0])),
  };
}

/**
 * Reads at most `max` bytes of a file; a larger file is refused without reading it whole (its
 * claimed size from `dest.size`, else the bytes as they stream in).
 */
async function readBounded(dest: Destination, file: string, max: number): Promise<Buffer> {
  const size = dest.size ? await dest.size(file) : undefined;
  if (size !== undefined && size > max) {
    throw new ManifestError(`${file}: ${size} bytes, over the ${max}-byte limit of a resume journal`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  const stream = dest.read(file);
  try {
    for await (const c of stream as AsyncIterable<Uint8Array>) {
      n += c.byteLength;
      if (n > max) throw new ManifestError(`${file}: over the ${max}-byte limit of a resume journal`);
      chunks.push(Buffer.from(c));
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, n);
}

/** Reads and checks the journal of `folder` (FileNotFoundError when it has none). */
export async function readJournal(dest: Destination, folder: string): Promise<ResumeJournal> {
  return parseJournal(await readBounded(dest, journalPath(folder), MAX_JOURNAL_BYTES), folder);
}

/** Writes the journal (atomically: `dest.write`). */
export async function writeJournal(dest: Destination, j: ResumeJournal): Promise<void> {
  await dest.write(journalPath(j.folder), serializeJournal(j));
}

/** A folder of the location holding a journal, and the journal (or why it could not be read). */
export interface InterruptedBackup {
  folder: string;
  /** Whether a manifest of the location lists the folder (its journal is then only left over). */
  listed: boolean;
  journal?: ResumeJournal;
  error?: string;
}

/**
 * Every backup folder of the location that holds a resume journal, newest folder first. A
 * journal that cannot be read or fails its checks is reported with `error`, not thrown.
 */
export async function findInterrupted(
  dest: Destination,
  existing: ManifestSet,
): Promise<InterruptedBackup[]> {
  const listed = new Set(existing.manifests.map((m) => m.path));
  const folders: string[] = [];
  for await (const f of dest.list('dgraph.')) {
    const slash = f.indexOf('/');
    if (slash === -1 || f.slice(slash + 1) !== RESUME_JOURNAL_FILE) continue;
    const folder = f.slice(0, slash);
    if (BACKUP_FOLDER_RE.test(folder)) folders.push(folder);
  }
  folders.sort().reverse();
  const out: InterruptedBackup[] = [];
  for (const folder of folders) {
    try {
      out.push({ folder, listed: listed.has(folder), journal: await readJournal(dest, folder) });
    } catch (err) {
      out.push({ folder, listed: listed.has(folder), error: (err as Error).message });
    }
  }
  return out;
}

/** What the request and the cluster are now, to decide whether an interrupted backup may go on. */
export interface ResumeContext {
  existing: ManifestSet;
  encrypted: boolean;
  keyFingerprint?: string | undefined;
  /** The layout asked for (undefined: whatever the series has). */
  format?: ManifestLayout | undefined;
  /** Group id → Zero's tablets now. */
  groups: Map<number, string[]>;
}

/**
 * Why the interrupted backup of `j` should not be continued, or undefined when it can: at least
 * one group's file must be finished (else there is nothing to keep), and it must still be the next
 * backup of its series (incremental: the latest listed backup is its series'
 * #backupNum−1 at readTs `since`; full: a new series whose readTs is past every listed backup's),
 * with the same encryption key, layout and groups (same tablets).
 */
export function resumeMismatch(j: ResumeJournal, ctx: ResumeContext): string | undefined {
  const latest = ctx.existing.manifests.at(-1);
  if (ctx.existing.manifests.some((m) => m.path === j.folder)) return 'a manifest lists its folder already';
  // Nothing to keep: a new backup at a newer read ts is better than this one at its old one.
  if (j.done.size === 0) return 'no group file of it was finished';
  if (j.type === 'incremental') {
    if (!latest || latest.backupId !== j.backupId || latest.backupNum !== j.backupNum - 1) {
      return `it is #${j.backupNum} of series ${j.backupId}, but the latest backup of the location is ${latest ? `${latest.backupId} #${latest.backupNum}` : 'none'}`;
    }
    if (latest.readTs !== j.since)
      return `its since (${j.since}) is not the latest backup's readTs (${latest.readTs})`;
  } else {
    if (ctx.existing.manifests.some((m) => m.backupId === j.backupId))
      return `series ${j.backupId} exists already`;
    if (latest && latest.readTs >= j.readTs)
      return `a backup at a later readTs (${latest.readTs}) was listed since`;
  }
  if (j.encrypted !== ctx.encrypted) {
    return `it is ${j.encrypted ? '' : 'not '}encrypted and the cluster ${ctx.encrypted ? 'has' : 'has no'} key now`;
  }
  if (j.encrypted && j.keyFingerprint !== ctx.keyFingerprint) return 'the cluster key changed';
  if (ctx.format !== undefined && ctx.format !== j.format)
    return `it is ${j.format}, this request asks for ${ctx.format}`;
  if (ctx.existing.layout === 'master' && j.format === 'v20.11')
    return 'the location has a master manifest now';
  const same =
    j.groups.size === ctx.groups.size &&
    [...j.groups].every(([g, p]) => {
      const now = ctx.groups.get(g);
      return (
        now !== undefined &&
        now.length === p.length &&
        [...now].sort().join('\0') === [...p].sort().join('\0')
      );
    });
  if (!same) return 'the groups or their tablets changed';
  return undefined;
}

/** The plan of the interrupted backup, to continue it. */
export function resumedPlan(j: ResumeJournal, existing: ManifestSet): BackupPlan {
  return {
    type: j.type,
    backupId: j.backupId,
    backupNum: j.backupNum,
    since: j.since,
    readTs: j.readTs,
    encrypted: j.encrypted,
    format: j.format,
    compression: j.format === 'v20.11' ? 'gzip' : 'snappy',
    folder: j.folder,
    previous: existing.manifests.at(-1),
    existing,
  };
}

/** The sha256 (hex) and size of a file of the location, streamed. */
export async function fileSha256(
  dest: Destination,
  file: string,
): Promise<{ sha256: string; bytes: number }> {
  if (file.length === 0) throw new InvalidArgumentError('fileSha256 needs a path');
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of dest.read(file) as AsyncIterable<Uint8Array>) {
    h.update(c);
    bytes += c.byteLength;
  }
  return { sha256: h.digest('hex'), bytes };
}
