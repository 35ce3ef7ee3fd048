/** Writes a backup's manifest: last, atomically (spec §3, §11). */
import type { Destination } from '../destinations/types.js';
import type { BackupManifest, DropOperation, PredicateName } from '../manifest/model.js';
import { manifestEntryToJson, serializeManifest } from '../manifest/serialize.js';
import type { BackupDropOperation } from '../native.js';
import type { BackupPlan } from './plan.js';

const MASTER = 'manifest.json';

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
    version: p.format === 'v21.03' ? 2103 : 0,
    groups: new Map([...o.groups].sort((a, b) => a[0] - b[0])),
    dropOperations: o.dropOperations,
    checksums: o.checksums,
    strataVersion: o.strataVersion,
    ...(p.encrypted && o.keyFingerprint !== undefined ? { keyFingerprint: o.keyFingerprint } : {}),
    source: p.format === 'v21.03' ? 'master' : 'per-folder',
    manifestFile: p.format === 'v21.03' ? MASTER : `${p.folder}/manifest.json`,
  };
}

/**
 * Writes the manifest, the last step of a backup, atomically (Destination.write: temp file +
 * rename locally, one PUT remotely). `v20.11`: `<folder>/manifest.json`. `v21.03`: the master
 * `manifest.json` read, appended to and rewritten (per-folder manifests of the location are
 * consolidated into it, as Dgraph v21.03 does). Returns the manifest file written.
 */
export async function writeManifest(
  dest: Destination,
  o: WriteManifestOptions,
): Promise<{ file: string; manifest: BackupManifest }> {
  const model = backupManifestModel(o);
  if (o.plan.format === 'v20.11') {
    const file = `${o.plan.folder}/manifest.json`;
    await dest.write(file, Buffer.from(serializeManifest(model, 'v20.11')));
    return { file, manifest: model };
  }
  let entries: unknown[];
  if (o.plan.existing.layout === 'master') {
    // Read-modify-write the raw JSON: entries we did not write stay byte-for-byte as they were.
    const raw = JSON.parse((await dest.readFile(MASTER)).toString('utf8')) as {
      Manifests?: unknown[] | null;
    };
    entries = Array.isArray(raw.Manifests) ? raw.Manifests : [];
  } else {
    entries = o.plan.existing.manifests.map((m) => manifestEntryToJson(m, 'v21.03'));
  }
  entries.push(manifestEntryToJson(model, 'v21.03'));
  await dest.write(MASTER, Buffer.from(JSON.stringify({ Manifests: entries })));
  return { file: MASTER, manifest: model };
}
