/**
 * `strata expire` / `/admin expireBackups`: removes the backups a retention plan (./plan.ts) does
 * not keep, so that no reader ever sees a listed backup with missing files:
 *
 * 1. the manifest stops listing them first: the master `manifest.json` (v21.03+) is rewritten
 *    without their entries by compare-and-swap (Destination.putIfUnchanged, as backups append to
 *    it): a lost race re-reads the master, plans again on what it now says and retries, so an
 *    entry another writer added meanwhile is never dropped; for the v20.x per-folder layout each
 *    removed backup's `manifest.json` is deleted, newest first (what stays listed is always a
 *    chain prefix);
 * 2. only then are the backup's data files deleted.
 *
 * Every manifest is hostile input: a path with `..` or an absolute path is refused (the
 * Destination confines every path to the location), a folder that a kept backup also uses is
 * unlisted but not deleted, and inside a folder whose name is not Dgraph's `dgraph.<time>` only
 * the files the manifest names are deleted.
 */
import { journalPath } from '../backup/journal.js';
import { BACKUP_FOLDER_RE } from '../backup/names.js';
import type { Destination } from '../destinations/types.js';
import { toDestination } from '../destinations/open.js';
import { normalizeRelative } from '../destinations/local.js';
import { InvalidArgumentError, StrataError } from '../errors.js';
import type { LocationOptions } from '../list/list.js';
import { dataFilePath, type BackupManifest } from '../manifest/model.js';
import { deriveSince, parseMasterManifest } from '../manifest/parse.js';
import { displayPath, readManifests } from '../manifest/read.js';
import { summarizeMaster } from '../manifest/serialize.js';
import { mapConcurrent } from '../util/concurrency.js';
import { planRetention, type PlannedBackup, type RetentionPlan, type RetentionRules } from './plan.js';

const MASTER = 'manifest.json';
const SUMMARY = 'manifest_summary.json';
/** Attempts of the compare-and-swap of the master manifest before giving up. */
export const EXPIRE_CAS_ATTEMPTS = 8;
/** Files deleted at once. */
const DELETE_CONCURRENCY = 8;

export interface ExpireOptions extends LocationOptions, RetentionRules {
  /** Plan only: nothing is written or deleted. */
  dryRun?: boolean | undefined;
  /** The reference time of `keepWithin` (default: now). */
  now?: Date | undefined;
  /** Called after each backup's files are deleted. */
  onRemoved?: (b: PlannedBackup) => void;
  /**
   * Called before the manifest is changed and before each backup's files are deleted; a throw
   * stops the run there (the Alpha confirms its lease on Zero's backup lock here).
   */
  checkpoint?: () => void | Promise<void>;
}

export interface ExpireResult extends RetentionPlan {
  /** The location, as {@link Destination.describe} shows it (never with credentials). */
  location: string;
  layout: 'master' | 'per-folder' | 'none';
  dryRun: boolean;
  /** Data and manifest files deleted. */
  filesDeleted: number;
}

const key = (m: { path: string; backupId: string; backupNum: number }): string =>
  `${m.path}\u0000${m.backupId}\u0000${m.backupNum}`;

function rawKey(e: unknown): string | undefined {
  if (e === null || typeof e !== 'object') return undefined;
  const x = e as { path?: unknown; backup_id?: unknown; backup_num?: unknown };
  if (typeof x.path !== 'string') return undefined;
  return key({
    path: x.path.replace(/^\/+|\/+$/g, ''),
    backupId: String(x.backup_id ?? ''),
    backupNum: Number(x.backup_num ?? 0),
  });
}

/** A manifest path checked as a location-relative folder (throws on `..`, backslashes, odd forms). */
function safeFolder(m: BackupManifest, dest: Destination): string {
  const p = m.path;
  let norm: string;
  try {
    norm = normalizeRelative(p);
  } catch {
    norm = '\u0000';
  }
  if (norm !== p || p.includes('\\')) {
    throw new InvalidArgumentError(
      `${displayPath(dest, m.manifestFile)}: backup ${m.backupId} #${m.backupNum} names the folder ` +
        `${JSON.stringify(p)}, which is not a plain relative path inside the location: nothing removed`,
    );
  }
  return p;
}

/** The manifests of a master manifest's bytes, as readManifests keeps them (entries whose folder exists). */
function masterManifests(dest: Destination, data: Buffer, files: readonly string[], warnings: string[]) {
  const file = displayPath(dest, MASTER);
  const all = parseMasterManifest(data.toString('utf8'), { file, manifestFile: MASTER });
  const manifests = all.filter((m) => {
    if (m.path === '' || files.some((f) => f.startsWith(`${m.path}/`))) return true;
    warnings.push(
      `${file}: backup ${m.backupId} #${m.backupNum} is in folder ${m.path}, which does not exist: ignored (left listed)`,
    );
    return false;
  });
  deriveSince(manifests);
  return manifests;
}

async function listAll(dest: Destination, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const f of dest.list(prefix)) out.push(f);
  return out;
}

/**
 * Keeps `manifest_summary.json` (Dgraph v25's listing cache) in step with the master: rewritten
 * when it exists; if it cannot be, it is deleted (Dgraph then lists from manifest.json).
 */
async function refreshSummary(dest: Destination, master: Buffer): Promise<void> {
  try {
    const current = await dest.readVersioned(SUMMARY);
    if (!current) return;
    const text = Buffer.from(summarizeMaster(master.toString('utf8')));
    if (await dest.putIfUnchanged(SUMMARY, text, current.version)) return;
  } catch {
    // fall through: no stale summary may stay
  }
  await dest.delete(SUMMARY).catch(() => undefined);
}

/** Rewrites the master without the planned entries (CAS, re-planning on a lost race). */
async function unlistFromMaster(
  dest: Destination,
  opts: ExpireOptions,
  now: Date,
): Promise<{ plan: RetentionPlan; manifests: BackupManifest[] }> {
  for (let attempt = 1; attempt <= EXPIRE_CAS_ATTEMPTS; attempt++) {
    const files = await listAll(dest);
    const current = await dest.readVersioned(MASTER);
    if (!current) {
      throw new StrataError(
        'NOT_FOUND',
        `${displayPath(dest, MASTER)} disappeared while expiring: nothing removed`,
      );
    }
    const warnings: string[] = [];
    const manifests = masterManifests(dest, current.data, files, warnings);
    const plan = planRetention(manifests, opts, now);
    plan.warnings.unshift(...warnings);
    if (opts.dryRun || plan.remove.length === 0) return { plan, manifests };
    for (const b of plan.remove)
      safeFolder(
        manifests.find((m) => key(m) === key(b))!,
        dest,
      );
    const gone = new Set(plan.remove.map(key));
    const raw = JSON.parse(current.data.toString('utf8')) as { Manifests?: unknown[] | null };
    const entries = Array.isArray(raw.Manifests) ? raw.Manifests : [];
    const left = entries.filter((e) => {
      const k = rawKey(e);
      return k === undefined || !gone.has(k);
    });
    // The other entries are kept as parsed (the same read-modify-write as writeManifest's).
    const bytes = Buffer.from(JSON.stringify({ ...raw, Manifests: left }));
    await opts.checkpoint?.();
    if (await dest.putIfUnchanged(MASTER, bytes, current.version)) {
      await refreshSummary(dest, bytes);
      return { plan, manifests };
    }
    await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
  }
  throw new StrataError(
    'IO',
    `${displayPath(dest, MASTER)} kept changing under ${EXPIRE_CAS_ATTEMPTS} attempts to remove entries ` +
      '(backups writing it at the same time): nothing removed, run expire again',
  );
}

async function deleteFiles(dest: Destination, files: readonly string[]): Promise<void> {
  await mapConcurrent(files, DELETE_CONCURRENCY, (f) => dest.delete(f));
}

/** Deletes the files of a backup that no manifest lists any more. Returns the files deleted. */
async function deleteBackupFiles(
  dest: Destination,
  m: BackupManifest,
  keptFolders: readonly string[],
  warnings: string[],
): Promise<number> {
  const folder = safeFolder(m, dest);
  const named = [...m.groups.keys()].map((g) => dataFilePath(m, g));
  if (folder === '') {
    // Data files at the location root: only the ones the manifest names, if no kept backup uses them.
    const shared = keptFolders.includes('');
    if (shared) {
      warnings.push(
        `backup ${m.backupId} #${m.backupNum} has its files at the location root, as a kept backup does: unlisted, files left`,
      );
      return 0;
    }
    await deleteFiles(dest, named);
    return named.length;
  }
  const overlaps = keptFolders.some(
    (k) => k === folder || k.startsWith(`${folder}/`) || (k !== '' && folder.startsWith(`${k}/`)),
  );
  if (overlaps) {
    warnings.push(
      `backup ${m.backupId} #${m.backupNum}: its folder ${folder} is shared with a kept backup: unlisted, files left`,
    );
    return 0;
  }
  const present = await listAll(dest, `${folder}/`);
  const base = folder.slice(folder.lastIndexOf('/') + 1);
  let doomed: string[];
  if (BACKUP_FOLDER_RE.test(base)) {
    doomed = present;
  } else {
    const allowed = new Set([...named, `${folder}/manifest.json`]);
    doomed = present.filter((f) => allowed.has(f));
    const other = present.length - doomed.length;
    if (other > 0) {
      warnings.push(
        `backup ${m.backupId} #${m.backupNum}: folder ${folder} is not named dgraph.<time>: only the files its ` +
          `manifest names were deleted, ${other} other file${other === 1 ? '' : 's'} left`,
      );
    }
  }
  // The manifest (if any) last within the folder: the folder reads as a backup until the end.
  const last = `${folder}/manifest.json`;
  await deleteFiles(
    dest,
    doomed.filter((f) => f !== last),
  );
  if (doomed.includes(last)) await dest.delete(last);
  await dest.removeEmptyFolder?.(folder);
  return doomed.length;
}

/**
 * `dgraph.<time>` folders at the location root that no manifest lists: a backup still being
 * written, an interrupted backup the next backup continues (it holds a resume journal), or what a
 * killed backup or expire left. Reported, never touched.
 */
async function unlistedFolders(dest: Destination, manifests: readonly BackupManifest[]): Promise<string[]> {
  const listed = new Set(manifests.map((m) => m.path));
  const folders = new Set<string>();
  const journals = new Set<string>();
  for (const f of await listAll(dest)) {
    const top = f.split('/')[0]!;
    if (!f.includes('/') || !BACKUP_FOLDER_RE.test(top) || listed.has(top)) continue;
    folders.add(top);
    if (f === journalPath(top)) journals.add(top);
  }
  return [...folders].map((f) =>
    journals.has(f)
      ? `folder ${f} is listed by no manifest and holds a resume journal: an interrupted backup (or one ` +
        'being written) that the next backup to this location continues: not touched'
      : `folder ${f} is listed by no manifest (a backup being written, or left by a killed backup or ` +
        'expire): not touched; remove it by hand if no backup is running',
  );
}

/**
 * Applies retention rules to a location: plans, unlists the backups to remove from the manifest,
 * then deletes their files. With `dryRun` only the plan is returned.
 */
export async function expireBackups(opts: ExpireOptions): Promise<ExpireResult> {
  const {
    location,
    onWarning,
    dryRun,
    now: nowOpt,
    onRemoved,
    checkpoint,
    keepLast,
    keepWithin,
    keepSeries,
    ...creds
  } = opts;
  const rules: RetentionRules = { keepLast, keepWithin, keepSeries };
  const now = nowOpt ?? new Date();
  planRetention([], rules, now); // checks the rules before touching the location
  const dest = toDestination(location, creds);
  const set = await readManifests(dest);
  let plan: RetentionPlan;
  let manifests: BackupManifest[];
  if (set.layout === 'master') {
    ({ plan, manifests } = await unlistFromMaster(dest, { ...opts, ...rules, dryRun }, now));
  } else {
    manifests = set.manifests;
    plan = planRetention(manifests, rules, now);
    plan.warnings.unshift(...set.warnings);
    if (!dryRun) {
      for (const b of plan.remove)
        safeFolder(
          manifests.find((m) => key(m) === key(b))!,
          dest,
        );
      if (plan.remove.length > 0) await checkpoint?.();
      // Per-folder manifests: newest first, so what stays listed is always a whole chain prefix.
      for (const b of [...plan.remove].reverse()) await dest.delete(`${b.path}/manifest.json`);
    }
  }
  plan.warnings.push(...(await unlistedFolders(dest, manifests)));
  for (const w of plan.warnings) onWarning?.(w);
  let filesDeleted = 0;
  if (!dryRun) {
    const keptFolders = plan.keep.map((b) => b.path);
    const byKey = new Map(manifests.map((m) => [key(m), m]));
    for (const b of plan.remove) {
      await checkpoint?.();
      const before = plan.warnings.length;
      filesDeleted += await deleteBackupFiles(dest, byKey.get(key(b))!, keptFolders, plan.warnings);
      if (set.layout === 'per-folder') filesDeleted += 1;
      for (const w of plan.warnings.slice(before)) onWarning?.(w);
      onRemoved?.(b);
    }
  }
  return { ...plan, location: dest.describe(), layout: set.layout, dryRun: dryRun === true, filesDeleted };
}
