/**
 * `verify`: reads every file of the chosen backups end to end (native decoder, stats mode) and
 * reports every problem, without writing anything.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toDestination } from '../destinations/open.js';
import type { Destination } from '../destinations/types.js';
import { dataFileName, dataFilePath, layoutLabel, type BackupManifest } from '../manifest/model.js';
import { displayPath, readManifests } from '../manifest/read.js';
import { createFileDecoder } from '../codec/decoder.js';
import { analyzeChain } from '../series/chain.js';
import type { LocationOptions } from '../list/list.js';
import { sumSizes, type PhaseProgress } from '../util/progress.js';
import { DeepFileCheck, DeepSummary, deepSink, type DeepReport } from './deep.js';

export interface VerifyOptions extends LocationOptions {
  /** The series to verify; default: the newest. */
  backupId?: string | undefined;
  /** Verify backups 1..backupNum of the series; 0 or absent: all. */
  backupNum?: number | undefined;
  /** AES key, for encrypted backups. */
  key?: Buffer | undefined;
  /** Decompression threads per file (native default when absent). */
  threads?: number | undefined;
  /**
   * Also check every KV against its manifest entry (predicate listed for the group, version
   * within since..readTs) and report per-group figures in {@link VerifyReport.deep}.
   */
  deep?: boolean | undefined;
  /**
   * Phase `verify`: bytes read of the files decoded (total: their sizes, undefined when the
   * location gives none), items: files read. Told once before the first file, then as bytes flow.
   */
  onPhaseProgress?: ((p: PhaseProgress) => void) | undefined;
}

export interface VerifiedFile {
  /** Path relative to the location. */
  file: string;
  group: number;
  /** Bytes read from the file (0 when it could not be read). */
  bytes: number;
  /** KVs decoded. */
  kvs: number;
  ok: boolean;
  error?: string;
  /** sha256 of the file, when the manifest carries checksums. */
  sha256?: string;
  /** With `deep`: KVs found unsound (predicate not listed, version out of range, unknown key). */
  deepProblems?: number;
}

export interface BackupVerifyReport {
  backupId: string;
  backupNum: number;
  path: string;
  type: 'full' | 'incremental';
  readTs: bigint;
  /** The Dgraph layout its manifest entry names (`v20.11`, `v21.03`, `v21.12+`). */
  layout: string;
  ok: boolean;
  problems: string[];
  files: VerifiedFile[];
}

export interface VerifyReport {
  /** True when every backup and the series are sound. */
  ok: boolean;
  /** The location as described by its Destination (never with credentials). */
  location: string;
  backupId: string;
  /** Series-level problems (numbering gaps, mixed encryption, a backup_num beyond the series, ...). */
  problems: string[];
  warnings: string[];
  backups: BackupVerifyReport[];
  /** With `deep`: per-group figures of every file decoded (their problems are in `backups`). */
  deep?: DeepReport;
}

/** Counts and hashes the bytes that flow through, telling `onBytes` each chunk's length. */
class Tap extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  constructor(private readonly onBytes?: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(chunk.length);
    cb(null, chunk);
  }
}

/** The `verify` phase's counts, told to the listener on every change. */
class VerifyProgress {
  bytesDone = 0;
  items = 0;
  constructor(
    private readonly report: (p: PhaseProgress) => void,
    private readonly bytesTotal: number | undefined,
    private readonly itemsTotal: number,
  ) {}
  tell(): void {
    const { bytesDone, bytesTotal, items, itemsTotal } = this;
    this.report({ phase: 'verify', bytesDone, bytesTotal, items, itemsTotal });
  }
  readonly onBytes = (n: number): void => {
    this.bytesDone += n;
    this.tell();
  };
  fileDone(): void {
    this.items++;
    this.tell();
  }
}

/** The files `verify` will decode: every group file but those of an encrypted backup without a key. */
function filesToRead(backups: readonly BackupManifest[], key: Buffer | undefined): string[] {
  return backups.flatMap((m) =>
    m.encrypted && key === undefined ? [] : [...m.groups.keys()].map((g) => dataFilePath(m, g)),
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function verifyFile(
  dest: Destination,
  m: BackupManifest,
  group: number,
  key: Buffer | undefined,
  threads: number | undefined,
  progress: VerifyProgress | undefined,
  deep: DeepSummary | undefined,
): Promise<{ file: VerifiedFile; problems: string[] }> {
  const rel = dataFilePath(m, group);
  const shown = displayPath(dest, rel);
  const file: VerifiedFile = { file: rel, group, bytes: 0, kvs: 0, ok: false };
  if (!(await dest.exists(rel))) {
    file.error = `missing backup file ${rel}`;
    deep?.addUnread(group, 1);
    return { file, problems: [file.error] };
  }
  const tap = new Tap(progress?.onBytes);
  const problems: string[] = [];
  let check = deep === undefined ? undefined : new DeepFileCheck(m, group, rel, m.since);
  let detail = false;
  try {
    const decoder = createFileDecoder(m, { mode: 'stats', source: shown, key, threads });
    await pipeline(dest.read(rel), tap, decoder);
    file.kvs = decoder.stats?.kvs ?? 0;
    // --deep: the statistics' rows (per predicate, key type and namespace, with their version
    // range) tell whether every KV is sound; only a file with a problem is read again KV by KV
    // (in the native 'kvs' mode, much slower) to name each one with its position and key.
    if (check !== undefined && !check.checkStats(decoder.stats?.entries ?? [])) detail = true;
  } catch (err) {
    // "<file>: <problem>", without repeating the file's absolute path inside the problem.
    file.error = message(err).split(` (file: ${shown})`).join('').split(` (${shown})`).join('');
    problems.push(`${rel}: ${file.error}`);
  }
  if (detail && check !== undefined) {
    check = new DeepFileCheck(m, group, rel, m.since);
    const decoder = createFileDecoder(m, { mode: 'kvs', source: shown, key, threads });
    try {
      await pipeline(dest.read(rel), decoder, deepSink(check));
    } catch (err) {
      // It decoded the first time: the file changed, or the location failed, in between.
      file.error = `the second read (KV by KV) failed: ${message(err)}`;
      problems.push(`${rel}: ${file.error}`);
    }
  }
  file.bytes = tap.bytes;
  const want = m.checksums?.[dataFileName(m, group)];
  if (want !== undefined && file.error === undefined) {
    const got = tap.hash.digest('hex');
    file.sha256 = got;
    if (got !== want) {
      file.error = `sha256 mismatch: the manifest says ${want}, the file has ${got}`;
      problems.push(`${rel}: ${file.error}`);
    }
  }
  const otherProblems = problems.length;
  if (check !== undefined) {
    check.finish();
    file.kvs = check.keys;
    file.deepProblems = check.problemCount;
    problems.push(...check.problems);
    deep?.add(group, file.bytes, check, otherProblems);
  }
  file.ok = file.error === undefined && (check === undefined || check.problemCount === 0);
  return { file, problems };
}

async function verifyBackup(
  dest: Destination,
  m: BackupManifest,
  key: Buffer | undefined,
  threads: number | undefined,
  progress: VerifyProgress | undefined,
  deep: DeepSummary | undefined,
): Promise<BackupVerifyReport> {
  const problems: string[] = [];
  const files: VerifiedFile[] = [];
  let decodeKey = key;
  if (m.encrypted && key === undefined) {
    problems.push(
      `backup ${m.backupId} #${m.backupNum} is encrypted but no encryption key was given: its files were not decoded`,
    );
  } else if (!m.encrypted && key !== undefined) {
    problems.push(
      `an encryption key was given but backup ${m.backupId} #${m.backupNum} is not encrypted (its files were read without it)`,
    );
    decodeKey = undefined;
  }
  if (m.groups.size === 0) problems.push(`backup ${m.backupId} #${m.backupNum} lists no groups`);
  for (const [group] of m.groups) {
    if (m.encrypted && key === undefined) {
      // Still check that the file is there.
      const rel = dataFilePath(m, group);
      const present = await dest.exists(rel);
      const file: VerifiedFile = { file: rel, group, bytes: 0, kvs: 0, ok: false };
      file.error = present ? 'not decoded: no encryption key' : `missing backup file ${rel}`;
      if (!present) problems.push(file.error);
      deep?.addUnread(group, present ? 0 : 1);
      files.push(file);
      continue;
    }
    const r = await verifyFile(dest, m, group, decodeKey, threads, progress, deep);
    progress?.fileDone();
    files.push(r.file);
    problems.push(...r.problems);
  }
  return {
    backupId: m.backupId,
    backupNum: m.backupNum,
    path: m.path,
    type: m.type,
    readTs: m.readTs,
    layout: layoutLabel(m),
    ok: problems.length === 0,
    problems,
    files,
  };
}

/**
 * Verifies the chain of backups a restore would use (the newest series, or `backupId`'s, up to
 * `backupNum`): every group file is present and decodes completely, checksums match where
 * Strata's manifests carry them, numbering has no gaps and encryption is consistent. Every
 * problem is reported; nothing stops early. Unreadable manifests (and a missing location) throw.
 */
export async function verify(opts: VerifyOptions): Promise<VerifyReport> {
  const { location, onWarning, backupId, backupNum, key, threads, deep, onPhaseProgress, ...credentials } =
    opts;
  const dest = toDestination(location, credentials);
  const set = await readManifests(dest);
  const warnings = [...set.warnings];
  const chain = analyzeChain(set.manifests, { backupId, backupNum });
  warnings.push(...chain.warnings);
  for (const w of warnings) onWarning?.(w);
  let progress: VerifyProgress | undefined;
  if (onPhaseProgress !== undefined) {
    const files = filesToRead(chain.backups, key);
    const sizes: (number | undefined)[] = [];
    // A missing file counts 0 (it is reported, not read).
    for (const f of files) sizes.push(dest.size ? ((await dest.size(f)) ?? 0) : undefined);
    progress = new VerifyProgress(onPhaseProgress, sumSizes(sizes), files.length);
    progress.tell();
  }
  const backups: BackupVerifyReport[] = [];
  const summary = deep === true ? new DeepSummary() : undefined;
  for (const m of chain.backups) backups.push(await verifyBackup(dest, m, key, threads, progress, summary));
  return {
    ok: chain.problems.length === 0 && backups.length > 0 && backups.every((b) => b.ok),
    location: dest.describe(),
    backupId: chain.backupId,
    problems: chain.problems,
    warnings,
    backups,
    ...(summary !== undefined && { deep: summary.report() }),
  };
}
