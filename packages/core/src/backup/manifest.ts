/** Writes a backup's manifest: last, atomically (spec §3, §11). */
import type { Destination } from '../destinations/types.js';
import type { BackupManifest, DropOperation, PredicateName } from '../manifest/model.js';
import {
  layoutVersion,
  manifestEntryToJson,
  masterEntryToJson,
  serializeManifest,
  summarizeMaster,
} from '../manifest/serialize.js';
import type { BackupDropOperation } from '../native.js';
import type { BackupPlan } from './plan.js';

const MASTER = 'manifest.json';
/** Dgraph v25's listing cache of the master manifest (spec §3.3). */
const SUMMARY = 'manifest_summary.json';

export interface WriteManifestOptions {
  plan: BackupPlan;
  /** Group id → its predicates at backup time. */
  groups: Map<number, PredicateName[]>;
  /** Drops since the previous backup, in commit order. */
  dropOperations: DropOperation[];
  /** Data file name (relative to the folder) → sha256 hex. */
  checksums: Record<string, string>;
  strataVersion: string;
  /** When encrypted. */
  keyFingerprint?: string | undefined;
}

/** A drop reported by the native backup writer as a manifest drop operation. */
export function toManifestDrop(d: BackupDropOperation): DropOperation {
  switch (d.op) {
    case 'ALL':
      return { op: 'ALL' };
    case 'DATA':
      return d.namespace === undefined || d.namespace === 0n
        ? { op: 'DATA' }
        : { op: 'DATA', namespace: d.namespace };
    case 'ATTR':
      return { op: 'ATTR', namespace: d.namespace ?? 0n, attr: d.value ?? '' };
    case 'NS':
      return { op: 'NS', namespace: d.namespace ?? BigInt(d.value ?? '0') };
  }
}

/** The model of the manifest entry the plan and results describe. */
export function backupManifestModel(o: WriteManifestOptions): BackupManifest {
  const p = o.plan;
  return {
    path: p.folder,
    type: p.type,
    readTs: p.readTs,
    since: p.since,
    backupId: p.backupId,
    backupNum: p.backupNum,
    encrypted: p.encrypted,
    compression: p.compression,
    version: layoutVersion(p.format),
    groups: new Map([...o.groups].sort((a, b) => a[0] - b[0])),
    dropOperations: o.dropOperations,
    checksums: o.checksums,
    strataVersion: o.strataVersion,
    // The native backup writer lists predicates in the store's key order (store/backup/select.rs).
    storeKeyOrder: true,
    ...(p.encrypted && o.keyFingerprint !== undefined ? { keyFingerprint: o.keyFingerprint } : {}),
    source: p.format === 'v20.11' ? 'per-folder' : 'master',
    manifestFile: p.format === 'v20.11' ? `${p.folder}/manifest.json` : MASTER,
  };
}

/** Attempts of the compare-and-swap of the master manifest before giving up. */
export const MASTER_CAS_ATTEMPTS = 8;

function masterEntries(data: Buffer): unknown[] {
  const raw = JSON.parse(data.toString('utf8')) as { Manifests?: unknown[] | null };
  return Array.isArray(raw.Manifests) ? raw.Manifests : [];
}

function entryPath(e: unknown): unknown {
  return e !== null && typeof e === 'object' ? (e as { path?: unknown }).path : undefined;
}

/**
 * Keeps `manifest_summary.json` in step with the master just written: written for a v25 backup,
 * and updated whenever one exists (Dgraph v25 lists backups from it, so a stale one would hide
 * this backup). It is only a listing cache and the backup is already listed in the master: if it
 * cannot be written it is deleted (Dgraph then lists from manifest.json), and a failure of both
 * is not the backup's.
 */
async function writeSummary(dest: Destination, written: Buffer, create: boolean): Promise<void> {
  try {
    const current = await dest.readVersioned(SUMMARY);
    if (!current && !create) return;
    // The master as it is now (another writer may have appended since ours).
    const master = (await dest.readVersioned(MASTER))?.data ?? written;
    const text = Buffer.from(summarizeMaster(master.toString('utf8')));
    if (await dest.putIfUnchanged(SUMMARY, text, current?.version ?? null)) return;
  } catch {
    // fall through: no stale summary may stay
  }
  await dest.delete(SUMMARY).catch(() => undefined);
}

/**
 * Writes the manifest, the last step of a backup. `v20.11`: `<folder>/manifest.json`, created
 * only if absent. `v21.03`: the master `manifest.json` read, appended to and written back by
 * compare-and-swap (Destination.putIfUnchanged: a lock file + rename locally, a conditional PUT
 * remotely), so two writers never drop each other's entries: a writer that lost the race re-reads,
 * appends its entry again and retries, up to {@link MASTER_CAS_ATTEMPTS} times. Entries written by
 * others stay byte-for-byte as they were; per-folder manifests of the location are consolidated
 * into a new master, as Dgraph v21.03 does. Returns the manifest file written.
 */
export async function writeManifest(
  dest: Destination,
  o: WriteManifestOptions,
): Promise<{ file: string; manifest: BackupManifest }> {
  const model = backupManifestModel(o);
  if (o.plan.format === 'v20.11') {
    const file = `${o.plan.folder}/manifest.json`;
    if (!(await dest.putIfUnchanged(file, Buffer.from(serializeManifest(model, 'v20.11')), null))) {
      throw new Error(
        `${dest.describe()}: ${file} already exists (another backup wrote it): not overwritten`,
      );
    }
    return { file, manifest: model };
  }
  const mine = manifestEntryToJson(model, o.plan.format);
  for (let attempt = 1; attempt <= MASTER_CAS_ATTEMPTS; attempt++) {
    const current = await dest.readVersioned(MASTER);
    // Read-modify-write the raw JSON: entries we did not write stay byte-for-byte as they were.
    const entries = current
      ? masterEntries(current.data)
      : o.plan.existing.layout === 'master'
        ? [] // it was there when the backup was planned and is gone now: refuse below
        : o.plan.existing.manifests.map(masterEntryToJson);
    if (!current && o.plan.existing.layout === 'master') {
      throw new Error(`${dest.describe()}: ${MASTER} disappeared while the backup ran: not recreated`);
    }
    if (entries.some((e) => entryPath(e) === model.path)) {
      throw new Error(`${dest.describe()}: ${MASTER} already lists ${model.path}: not written twice`);
    }
    // Another writer's backup of the same series landed first: this one's `since` and number are
    // stale, and listing it would fork the chain.
    const clash = entries.find((e) => {
      const x = e as { backup_id?: unknown; backup_num?: unknown };
      return (
        x.backup_id === model.backupId && typeof x.backup_num === 'number' && x.backup_num >= model.backupNum
      );
    });
    if (clash) {
      throw new Error(
        `${dest.describe()}: ${MASTER} already lists backup ${model.backupId} #${(clash as { backup_num: number }).backup_num} ` +
          `(written by another backup meanwhile): this one (#${model.backupNum}) is not listed`,
      );
    }
    entries.push(mine);
    const bytes = Buffer.from(JSON.stringify({ Manifests: entries }));
    if (await dest.putIfUnchanged(MASTER, bytes, current?.version ?? null)) {
      await writeSummary(dest, bytes, o.plan.format === 'v25');
      return { file: MASTER, manifest: model };
    }
    // Lost the race: another writer changed it; back off a little and start again from its version.
    await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
  }
  throw new Error(
    `${dest.describe()}: ${MASTER} kept changing under ${MASTER_CAS_ATTEMPTS} attempts to add ${model.path} ` +
      '(other writers updating it at the same time): the backup is not listed',
  );
}

/**
 * Whether the manifest of the location lists the backup of `plan` (after a manifest write that
 * reported an error: a write whose answer was lost may have landed).
 */
export async function manifestLists(
  dest: Destination,
  plan: Pick<BackupPlan, 'folder' | 'format'>,
): Promise<boolean> {
  if (plan.format === 'v20.11') return dest.exists(`${plan.folder}/manifest.json`);
  const current = await dest.readVersioned(MASTER);
  return current !== undefined && masterEntries(current.data).some((e) => entryPath(e) === plan.folder);
}
